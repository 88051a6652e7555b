"""What the report page shows of a run: age classes in words, districts in district-code order (issue 20)."""

from __future__ import annotations

from django.utils import translation

from chiiki.evidence.views import _by_district, _for_display, age_label, district_order

CODES = {"中央一丁目": "001", "中央二丁目": "002", "中央三丁目": "003", "大字上野": "010"}


def test_age_classes_read_in_words_in_both_languages() -> None:
    with translation.override("ja"):
        assert age_label("-39") == "39歳以下"
        assert age_label("75+") == "75歳以上"
        assert age_label("40-64") == "40〜64歳"
        assert age_label("北") == "北"
    with translation.override("en"):
        assert age_label("-39") == "39 and under"
        assert age_label("75+") == "75 and over"


def test_districts_sort_by_code_not_by_name() -> None:
    names = ["中央三丁目", "大字上野", "中央二丁目", "その他", "中央一丁目"]
    assert sorted(names) == ["その他", "中央一丁目", "中央三丁目", "中央二丁目", "大字上野"]  # code points
    assert sorted(names, key=district_order(CODES)) == [
        "中央一丁目",
        "中央二丁目",
        "中央三丁目",
        "大字上野",
        "その他",
    ]
    estimates = {
        "by_district": [
            {"district": d, "variable": "employed", "label": "就業率", "estimate": 1.0, "se": 0.1}
            for d in ("中央三丁目", "中央一丁目", "中央二丁目")
        ]
    }
    assert [d for d, _cells in _by_district(estimates, CODES)["rows"]] == [
        "中央一丁目",
        "中央二丁目",
        "中央三丁目",
    ]


def test_report_rows_get_words_and_code_order_without_changing_the_stored_result() -> None:
    result = {
        "representativeness": {
            "response_rates": [
                {"group": "district", "level": "中央三丁目"},
                {"group": "district", "level": "中央一丁目"},
                {"group": "head_age_class", "level": "-39"},
                {"group": "district", "level": "中央二丁目"},
            ],
            "bias": [{"variable": "head_age_class", "level": "75+"}],
        }
    }
    with translation.override("ja"):
        shown = _for_display(result, CODES)
    levels = [r["level"] for r in shown["representativeness"]["response_rates"]]
    assert levels == ["中央一丁目", "中央二丁目", "39歳以下", "中央三丁目"]
    assert shown["representativeness"]["bias"][0]["level"] == "75歳以上"
    assert result["representativeness"]["response_rates"][2]["level"] == "-39"


def test_a_table_as_csv_has_headings_in_words_and_districts_in_code_order() -> None:
    from chiiki.evidence.views import report_csv_text

    result = {
        "representativeness": {"response_rates": [], "bias": []},
        "estimates": {
            "by_district": [
                {"district": d, "variable": "employed", "label": "就業率", "estimate": 50.0, "se": None}
                for d in ("中央三丁目", "中央一丁目")
            ]
        },
    }
    with translation.override("ja"):
        text = report_csv_text(result, "by_district", CODES)
    lines = text.splitlines()
    assert lines[0] == "地区 (district),変数 (variable),項目 (label),推計値 (estimate),標準誤差 (se)"
    assert lines[1].startswith("中央一丁目,employed,就業率,50.0,")
    assert lines[2].startswith("中央三丁目")
