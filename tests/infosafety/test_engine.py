"""The screening engine without Django: evasions undone, reasons given, signal sets checked and compared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chiiki.demo.infosafety_corpus import generate
from chiiki.infosafety.engine import (
    LabelledPost,
    PostFileError,
    Screener,
    SignalSetError,
    best_match,
    default_signal_set,
    diff_signal_sets,
    evaluate,
    fold,
    load_signal_set,
    read_posts,
)

CORPUS = Path(__file__).parents[2] / "src/chiiki/demo/data/infosafety-posts.jsonl"


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(default_signal_set())


def ids(screener: Screener, text: str) -> set[str]:
    return {m.signal_id for m in screener.screen(text).matches}


def test_a_typical_recruitment_post_is_flagged_with_its_reasons(screener: Screener) -> None:
    result = screener.screen("【急募】ホワイト案件！日給5万 即日即金 詳細はテレグラムで")
    assert result.level == "flag"
    assert {"white_job", "easy_high_pay", "instant_cash", "secret_app"} <= {
        m.signal_id for m in result.matches
    }
    assert any("ホワイト案件" in line for line in result.explain())
    assert result.version == default_signal_set().version


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("闇 バ イ ト 募集", "shady_term"),  # spaces between characters
        ("ﾔﾐﾊﾞｲﾄ", "shady_term"),  # half-width kana
        ("#ホ・ワ・イ・ト・案・件", "white_job"),  # symbols between characters
        ("ほわいと案件", "white_job"),  # hiragana
        ("ホワイ卜案件", "white_job"),  # 卜 (kanji) for ト
        ("連絡はTеlеgrаm", "secret_app"),  # Cyrillic е and а
        ("Ｔｅｌｅｇｒａｍで", "secret_app"),  # full-width Latin
        ("📦を受け取るだけ", "carry_or_receive"),  # emoji for 荷物
        ("荷物を受取るだけ", "carry_or_receive"),  # 受取る: Sudachi's normalized form
        ("日給五万円から", "easy_high_pay"),  # kanji numerals
        ("UD案件", "crime_role"),
    ],
)
def test_evasions_are_seen_through(screener: Screener, text: str, signal: str) -> None:
    assert signal in ids(screener, text)


def test_hard_negatives_stay_low(screener: Screener) -> None:
    for text in [
        "コンビニスタッフ募集 時給1,150円 学生歓迎 交通費支給 日払いOK",
        "イベント設営 日給1万2千円 当日払い 雇用契約あり",
        "「闇バイト」に応募した男が逮捕された。テレグラムで指示を受けていたという",
        "CLOUDの設定をした",
    ]:
        assert screener.screen(text).level == "low", text


def test_signal_set_problems_are_all_named() -> None:
    raw = json.loads(json.dumps(default_signal_set().raw))
    raw["version"] = ""
    raw["signals"][0]["weight"] = 3
    raw["signals"][1]["regex"] = ["(unclosed"]
    raw["signals"][2]["source"] = "nowhere"
    with pytest.raises(SignalSetError) as error:
        load_signal_set(raw)
    text = str(error.value)
    assert '"version"' in text
    assert "weight" in text
    assert "(unclosed" in text
    assert "nowhere" in text
    with pytest.raises(SignalSetError, match="JSON"):
        load_signal_set(b"{not json")


def test_the_diff_names_what_changed() -> None:
    old = default_signal_set()
    raw = json.loads(json.dumps(old.raw))
    raw["version"] = "next"
    raw["signals"][0]["weight"] = 0.4
    raw["signals"][0]["patterns"].append("楽して稼ぐ")
    raw["signals"].pop()
    raw["signals"].append(
        {"id": "new_one", "label": "新", "weight": 0.1, "source": "chiiki-unverified", "patterns": ["新語"]}
    )
    diff = diff_signal_sets(old, load_signal_set(raw))
    assert diff.added == ("new_one",)
    assert diff.removed == (old.signals[-1].id,)
    assert diff.reweighted == ((old.signals[0].id, old.signals[0].weight, 0.4),)
    assert (old.signals[0].id, "楽して稼ぐ") in diff.patterns_added
    assert not diff.is_empty
    assert diff_signal_sets(old, old).is_empty


def test_every_shipped_signal_names_a_source_with_a_tier() -> None:
    signal_set = default_signal_set()
    tiers = {signal_set.tier_of(s) for s in signal_set.signals}
    assert tiers <= {"official", "secondary", "unverified"}
    assert "unverified" in tiers  # the project's own additions are marked, not passed off as official


def test_post_files_x_bluesky_and_csv() -> None:
    jsonl = (
        '{"data": {"id": "1", "text": "ホワイト案件"}}\n'
        '{"$type": "app.bsky.feed.post", "text": "即日即金", "createdAt": "2026-12-04T00:00:00Z"}\n'
    )
    rows = read_posts(jsonl.encode(), name="posts.jsonl")
    assert [(r.line, r.text, r.post_id) for r in rows] == [(1, "ホワイト案件", "1"), (2, "即日即金", "")]
    csv = "本文,URL\nテレグラムで連絡,https://x.example/1\n".encode("cp932")
    assert read_posts(csv, name="posts.csv")[0].url == "https://x.example/1"
    with pytest.raises(PostFileError, match="2行目"):
        read_posts(b'{"text": "ok"}\n{"text": \n', name="p.jsonl")
    with pytest.raises(PostFileError, match="3行目"):
        read_posts(b"text,url\nok,\n,https://x.example/\n", name="p.csv")
    with pytest.raises(PostFileError, match="本文の列"):
        read_posts(b"id,body\n1,x\n", name="p.csv")


def test_similar_retellings_match_and_others_do_not() -> None:
    earlier = [
        (1, "地震で動物園からライオンが逃げた！近所を歩いてる"),
        (2, "投票用紙は鉛筆だと書き換えられる"),
    ]
    found = best_match("【拡散】地震で動物園からﾗｲｵﾝが逃げたって https://t.co/x @someone", earlier)
    assert found is not None
    assert found.key == 1
    assert best_match("今日の給食はカレーでした", earlier) is None
    assert fold("ＡＢＣ　ｱｲｳ", {}) == "ABCアイウ"


def test_the_shipped_corpus_is_the_generator_output_and_big_enough() -> None:
    lines = CORPUS.read_text("utf-8").splitlines()
    assert len(lines) >= 400
    assert [json.loads(line)["text"] for line in lines] == [p.text for p in generate()]


def test_held_out_figures_stay_above_a_floor(screener: Screener) -> None:
    posts = [json.loads(line) for line in CORPUS.read_text("utf-8").splitlines()]
    holdout = [
        LabelledPost(p["text"], p["label"], tuple(p["signals"])) for p in posts if p["split"] == "holdout"
    ]
    result = evaluate(screener, holdout)  # weights are fixed data: nothing here is fitted to the corpus
    assert result.posts == len(holdout) >= 300
    assert result.flag.precision >= 0.85
    assert result.watch.recall >= 0.75
