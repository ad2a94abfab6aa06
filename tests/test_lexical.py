"""The two word tables: synonyms (their terms join the word list) and colloquial phrases (they only widen
questions, and only as whole words)."""
import pytest

from qa.lexical import Tokenizer, lexical_setup, parse_synonyms


def test_a_colloquial_row_stands_only_for_the_whole_phrase():
    tokenizer = Tokenizer([], parse_synonyms("投资增速\t固定资产投资\n", whole=True))
    assert tokenizer.alternatives("投资增速") == ["固定资产投资"]
    assert tokenizer.alternatives("增速") == []


def test_a_synonym_row_stands_for_any_word_inside_its_phrase():
    tokenizer = Tokenizer(parse_synonyms("经济增长\t地区生产总值\n"))
    assert tokenizer.alternatives("增长") == ["地区生产总值"]


def test_the_bundled_colloquial_table_widens_an_everyday_question():
    tokenizer, _ = lexical_setup()
    assert tokenizer.expand("去年上访的人少了多少？").endswith(" 信访")


def test_the_colloquial_table_is_not_part_of_what_the_index_records(tmp_path):
    # Only the synonym table changes how passages are cut; editing the colloquial one needs no rebuild.
    mine = tmp_path / "colloquial.tsv"
    mine.write_text("上访\t信访\n", encoding="utf-8")
    tokenizer, sha = lexical_setup(colloquial=str(mine))
    assert sha == lexical_setup()[1] and tokenizer.alternatives("上访") == ["信访"]


def test_a_colloquial_row_stands_only_for_that_very_word_and_a_synonym_row_for_words_inside_it():
    tokenizer = Tokenizer(parse_synonyms("每年平均\t年均\n"), parse_synonyms("个体户\t市场主体\n", whole=True))
    assert tokenizer.alternatives("个体户") == ["市场主体"] and tokenizer.alternatives("个体") == []
    assert tokenizer.alternatives("平均") == ["年均"]


def test_a_place_written_without_its_suffix_is_read_only_when_asked_for():
    tokenizer = Tokenizer([])
    assert tokenizer.places("郑州去年城镇新增就业多少人") == []
    assert tokenizer.places("郑州去年城镇新增就业多少人", bare=True) == ["郑州"]
    assert tokenizer.places("伊川县去年城镇新增就业多少人") == ["伊川"]  # 城镇 is no town called 城


@pytest.mark.parametrize("question, word, glued", [("偃师一年能做多少双鞋？", "鞋", "双鞋"),
                                                   ("去年新开了多少家店？", "店", "家店")])
def test_the_measure_word_after_an_asking_word_is_no_part_of_the_key_word(assistant, question, word, glued):
    terms = assistant.analyzer.analyse(question).terms
    assert word in terms and glued not in terms


def test_a_verb_jieba_glues_to_its_particle_is_a_key_word(assistant):
    # jieba tags "交了" as one particle; the verb is what finds "累计交房10388套".
    assert "交" in assistant.analyzer.analyse("这五年安置房一共交了多少套？").terms
    assert "10388套" in assistant.ask("这五年安置房一共交了多少套？").text


def test_a_space_typed_between_words_keeps_them_apart(assistant):
    # The search form drops spaces, and jieba would read "2026GDP" as one word no passage holds.
    terms = assistant.analyzer.analyse("偃师 2026 GDP 增长 预期目标").terms
    assert "gdp" in terms and "2026gdp" not in terms
    assert "地区生产总值增长5.5%左右" in assistant.ask("偃师 2026 GDP 增长 预期目标").text


def test_a_greeting_to_whoever_answers_is_no_key_word(assistant):
    terms = assistant.analyzer.analyse("主持人您好，去年咱区优良天数增加了多少天？").terms
    assert "主持人" not in terms and "您好" not in terms


def test_a_synonym_tables_words_do_not_change_how_another_tokenizer_cuts():
    # Each tokenizer has its own jieba dictionary: one assistant's table must not re-cut another's passages.
    plain = Tokenizer([])
    before = plain.tokens("规上工业增加值增长13.8%")
    Tokenizer(parse_synonyms("工厂的产值\t规上工业增加值\n"))
    assert plain.tokens("规上工业增加值增长13.8%") == before and "规上工业增加值" not in before
