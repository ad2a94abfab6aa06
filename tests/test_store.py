import json

import pytest

from qa import Assistant, Config
from qa.errors import IndexStateError
from qa.builds import current
from qa.store import FORMAT_VERSION, index_path

QUESTION = "2025年规上工业增加值增长多少？"


@pytest.fixture
def built(tmp_path, small_seeds):
    config = Config(seeds_dir=small_seeds, index_dir=tmp_path / "index")
    return config, Assistant.load(config, progress=None)


def _build_dir(config):
    """The folder of the build in use (the one CURRENT names)."""
    return current(index_path(config, "e5-small"))


def _messages(config, rebuild=False):
    said: list[str] = []
    assistant = Assistant.load(config, progress=said.append, rebuild=rebuild)
    return assistant, said


def test_manifest_records_what_the_index_was_built_from(built):
    config, assistant = built
    manifest = json.loads((_build_dir(config) / "manifest.json").read_text("utf-8"))
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["embedder"] == {"name": "e5-small", "dim": 384}
    assert manifest["sources"][0]["file"] == "report.txt" and len(manifest["sources"][0]["sha256"]) == 64
    assert set(manifest["components"]) >= {"chunks.jsonl", "documents.jsonl", "vectors.faiss", "bm25/params.index.json"}
    assert manifest["config"]["max_chunk_chars"] == config.max_chunk_chars


def test_reloading_gives_the_same_chunks_and_answers(built):
    config, first = built
    second, said = _messages(config)
    assert said == []  # loaded, not rebuilt
    assert [c.to_dict() for c in second.chunks] == [c.to_dict() for c in first.chunks]
    a, b = first.ask(QUESTION), second.ask(QUESTION)
    assert "13.8%" in a.text and a.text == b.text
    assert [c.chunk.id for c in a.citations] == [c.chunk.id for c in b.citations]


def test_changed_source_makes_the_index_stale_and_it_is_rebuilt(built, small_seeds):
    config, _ = built
    with (small_seeds / "report.txt").open("a", encoding="utf-8") as f:
        f.write("\n\n补充说明。全年新增口袋公园999个。\n")
    assistant, said = _messages(config)
    assert any("source documents changed" in m for m in said)
    assert "999" in assistant.ask("新增口袋公园多少个？").text


def test_corrupt_vector_file_is_detected_and_rebuilt(built):
    config, _ = built
    (_build_dir(config) / "vectors.faiss").write_bytes(b"garbage")
    assistant, said = _messages(config)
    assert any("corrupt" in m for m in said)
    assert "13.8%" in assistant.ask(QUESTION).text


def test_truncated_manifest_is_detected_and_rebuilt(built):
    config, _ = built
    manifest = _build_dir(config) / "manifest.json"
    manifest.write_text(manifest.read_text("utf-8")[:50], encoding="utf-8")
    _, said = _messages(config)
    assert any("unreadable" in m for m in said)


def test_older_format_is_rebuilt(built):
    config, _ = built
    manifest = _build_dir(config) / "manifest.json"
    data = json.loads(manifest.read_text("utf-8"))
    manifest.write_text(json.dumps({**data, "format_version": 0}), encoding="utf-8")
    _, said = _messages(config)
    assert any("format" in m for m in said)


def test_a_rebuild_leaves_no_temporary_folders(built):
    config, _ = built
    _messages(config, rebuild=True)
    assert sorted(p.name for p in (config.index_dir).iterdir() if not p.name.endswith(".lock")) == ["e5-small"]
    folder = index_path(config, "e5-small")
    assert sorted(p.name for p in folder.iterdir()) == ["CURRENT", "builds", "vector-cache"]
    assert not [p for p in (folder / "builds").iterdir() if p.name.startswith(".tmp-")]


def test_no_readable_document_is_a_clear_error(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "scan.txt").write_bytes(b"\x00" * 10)
    with pytest.raises(Exception, match="no readable .*scan.txt"):
        Assistant.load(Config(seeds_dir=seeds, index_dir=tmp_path / "index"), progress=None)


def test_check_names_the_missing_index(tmp_path):
    from qa.store import check

    with pytest.raises(IndexStateError, match="no index"):
        check(tmp_path / "nothing", Config(), "e5-small", "")


def test_a_users_synonym_table_is_used_and_changing_it_rebuilds(built, tmp_path):
    config, _ = built
    table = tmp_path / "synonyms.tsv"
    table.write_text("工厂的产值\t规上工业增加值\n", encoding="utf-8")
    mine = config.replace(synonyms=str(table))
    assistant, said = _messages(mine)
    assert any("synonyms_sha256 changed" in m for m in said)
    assert "13.8%" in assistant.ask("2025年工厂的产值涨了多少？").text
