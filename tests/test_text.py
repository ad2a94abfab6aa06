from qa.text import answer_form, clean_display, cn_to_arabic, numbers_in, search_form, to_simplified, written_asking


def test_display_form_drops_pdf_spacing_between_digits_and_chinese():
    assert clean_display("实施重点项目 108 个、总投资 243 亿元") == "实施重点项目108个、总投资243亿元"


def test_display_form_keeps_space_between_latin_words():
    assert clean_display("Hello World 与 G208") == "Hello World与G208"


def test_display_form_resolves_subscripts_and_bold_markup():
    assert clean_display("**优良**PM_{2.5}下降 18.6%，PM₁₀下降 11.5%") == "优良PM2.5下降18.6%，PM10下降11.5%"


def test_search_form_folds_full_width_and_case():
    assert search_form("２０２５年ＧＤＰ 增长") == "2025年gdp增长"


def test_chinese_percent_and_year_become_digits():
    assert cn_to_arabic("百分之五点五") == "5.5%"
    assert cn_to_arabic("二〇二五年") == "2025年"


def test_chinese_numbers_with_units_become_digits():
    assert cn_to_arabic("一百零六个充电桩，八千人") == "106个充电桩，8000人"


def test_plan_names_and_fixed_phrases_stay_words():
    assert cn_to_arabic("“十四五”时期三农工作和一带一路") == "“十四五”时期三农工作和一带一路"


def test_numbers_in_sees_through_width_and_numerals():
    assert numbers_in("增长６.７%，新增一百零六个") == ["6.7", "106"]


def test_answer_form_keeps_decimal_point_and_percent():
    assert answer_form("增长 5.5％ 左右。") == "增长5.5%左右"


def test_bare_hundred_and_thousand_are_words_not_numbers():
    assert cn_to_arabic("增长百分之几，千万工程，百姓") == "增长百分之几，千万工程，百姓"


def test_a_ten_inside_a_word_is_no_figure():
    assert cn_to_arabic("红十字会，十分重要，十分钟，前十名") == "红十字会，十分重要，10分钟，前10名"


def test_traditional_characters_are_folded_to_simplified():
    assert to_simplified("偃師區2025年新增了多少個充電樁？") == "偃师区2025年新增了多少个充电桩？"


def test_simplified_text_is_left_as_it_is(report_text):
    assert to_simplified(report_text) == report_text


def test_spoken_question_words_are_read_in_their_written_form():
    assert written_asking("城市更新六大工程都包括啥") == "城市更新六大工程都包括什么"
    assert written_asking("这事咋办") == "这事怎么办"
