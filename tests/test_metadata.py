import pytest

from qa.errors import DocumentError
from qa.metadata import DocumentMeta, document_metadata, parse_sidecar
from qa.synthetic import synthetic_report


def test_the_real_reports_header_gives_place_level_parent_and_year(report_text):
    assert document_metadata(report_text) == DocumentMeta(place="偃师", place_full="偃师区", level="区", parent="洛阳", year=2026)


def test_a_province_report_has_no_parent():
    header = "政府工作报告\n\n——2026年1月20日在河南省第十四届人民代表大会第四次会议上\n\n河南省人民政府省长 王凯\n"
    assert document_metadata(header) == DocumentMeta("河南", "河南省", "省", None, 2026)


def test_without_a_government_line_the_congress_line_names_the_place():
    header = "政府工作报告\n\n——2025年1月5日在洛阳市新安县第十七届人民代表大会第五次会议上\n\n各位代表：\n"
    assert document_metadata(header) == DocumentMeta("新安", "新安县", "县", "洛阳", 2025)


def test_a_text_without_such_a_header_has_only_what_it_says():
    assert document_metadata("一、总体情况\n\n全年地区生产总值增长6.7%。") == DocumentMeta(None, None, None, None, None)


def test_only_the_header_counts():
    # A place named deep in the body ("在孟津区人民政府…") is not what the report is about.
    body = "一、总体情况\n\n" + "全年经济平稳运行。" * 40 + "\n\n孟津区人民政府积极配合。"
    assert document_metadata(body).place is None


def test_a_sidecar_overrides_the_header_and_the_full_name_follows(report_text):
    meta = document_metadata(report_text, {"place": "新安", "level": "县"})
    assert meta == DocumentMeta("新安", "新安县", "县", "洛阳", 2026)


def test_a_sidecar_year_overrides_the_date(report_text):
    assert document_metadata(report_text, {"year": 2025}).year == 2025


def test_a_valid_sidecar_is_parsed():
    data = '{"place": "新安", "place_full": "新安县", "level": "县", "parent": "洛阳", "year": 2026}'.encode()
    assert parse_sidecar("x.meta.json", data) == {"place": "新安", "place_full": "新安县", "level": "县",
                                                   "parent": "洛阳", "year": 2026}


@pytest.mark.parametrize("data, problem", [
    ('{"palce": "新安"}', "top level: Additional properties are not allowed ('palce' was unexpected)"),
    ('{"year": "2026"}', "year: '2026' is not of type 'integer'"),
    ('{"year": 1066}', "year: 1066 is less than the minimum of 1949"),
    ('{"place": ""}', "place: '' does not match '^[\u4e00-\u9fff]{1,20}$'"),
    ('["新安"]', "top level: ['新安'] is not of type 'object'"),
])
def test_an_invalid_sidecar_is_refused_with_the_field_and_the_reason(data, problem):
    with pytest.raises(DocumentError) as caught:
        parse_sidecar("x.meta.json", data.encode())
    assert str(caught.value).startswith(f"x.meta.json: {problem} (expected e.g.")


def test_a_sidecar_that_is_not_json_is_refused():
    with pytest.raises(DocumentError, match=r"^x.meta.json: not valid UTF-8 JSON"):
        parse_sidecar("x.meta.json", b"place: xinan")


def test_the_synthetic_reports_header_names_its_new_place(report_text):
    synthetic = synthetic_report(report_text, "新安", "洛阳", seed=1, level="县")
    assert document_metadata(synthetic) == DocumentMeta("新安", "新安县", "县", "洛阳", 2026)
