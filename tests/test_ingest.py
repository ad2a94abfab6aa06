import pytest

from qa.errors import DocumentError
from qa.ingest import read_source, read_sources

TEXT = "一、总体情况\n\n全年地区生产总值增长6.7%。\n"


def test_utf8_with_bom_is_read_without_the_bom(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    source = read_source(path)
    assert source.text == TEXT and source.encoding == "utf-8"


def test_gbk_file_is_decoded(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(TEXT.encode("gbk"))
    source = read_source(path)
    assert source.text == TEXT and source.encoding == "gb18030"


def test_binary_file_gets_a_message_naming_it(tmp_path):
    path = tmp_path / "scan.txt"
    path.write_bytes(b"%PDF-1.7\x00\x01\x02" * 100)
    with pytest.raises(DocumentError, match="scan.txt.*binary"):
        read_source(path)


def test_empty_file_gets_a_message_naming_it(tmp_path):
    path = tmp_path / "blank.md"
    path.write_text("  \n", encoding="utf-8")
    with pytest.raises(DocumentError, match="blank.md.*empty"):
        read_source(path)


def test_bad_files_are_reported_and_good_ones_still_read(tmp_path):
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\xff" * 50)
    (tmp_path / "notes.pdf").write_bytes(b"ignored: not a document suffix")
    sources, problems = read_sources(tmp_path)
    assert [s.name for s in sources] == ["good"]
    assert len(problems) == 1 and problems[0].startswith("bad.txt")
