"""A SYNTHETIC labelled corpus of short posts for evaluating the 闇バイト screening (Django-free).

Every post here was written for this project from templates: recruitment posts in many styles (with the
evasions seen in the wild: spaces between characters, half-width kana, emoji for words, Cyrillic letters,
hashtags, hiragana), and hard negatives (ordinary part-time and delivery ads, legitimate 日払い work, news
and warnings about 闇バイト, everyday posts that use the same words). None is a real post. Figures measured
on it say how the signals behave on this material, not on real traffic: the same person wrote the signals
and the templates, so they flatter the engine; treat them as a regression check and a floor for errors.

Each post carries its label (1 = recruitment), the signal ids whose phrases it contains (the gold for
per-signal precision and recall) and a split: "dev" (about a quarter, which a person may read while tuning
weights) or "holdout" (reported; never read while tuning).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import jaconv

__all__ = ["Post", "generate", "write_jsonl"]


@dataclass(frozen=True, slots=True)
class Post:
    """One labelled post."""

    id: str
    text: str
    label: int
    kind: str
    signals: tuple[str, ...]
    split: str


Phrase = tuple[str, str]  # (text, signal id or "" for none)

PAY: list[Phrase] = [
    ("高額案件あります", "easy_high_pay"),
    ("日給5万円から", "easy_high_pay"),
    ("1日で10万稼げる", "easy_high_pay"),
    ("短期間で高収入", "easy_high_pay"),
    ("楽に稼げる", "easy_high_pay"),
    ("報酬30万〜", "easy_high_pay"),
    ("日当8万", "easy_high_pay"),
    ("簡単な仕事で高収入", "easy_high_pay"),
]
CASH: list[Phrase] = [
    ("即日即金", "instant_cash"),
    ("お金配ります", "instant_cash"),
    ("即金OK", "instant_cash"),
]
DAILY: list[Phrase] = [("日払いOK", "daily_pay"), ("即日払い", "daily_pay"), ("当日払い", "daily_pay")]
WHITE: list[Phrase] = [
    ("ホワイト案件", "white_job"),
    ("完全ホワイト", "white_job"),
    ("違法ではありません", "white_job"),
    ("捕まらないので安心", "white_job"),
    ("バレない仕事", "white_job"),
]
TASK: list[Phrase] = [
    ("荷物を受け取るだけ", "carry_or_receive"),
    ("書類を届けるだけの仕事", "carry_or_receive"),
    ("簡単な運びの仕事", "carry_or_receive"),
    ("深夜に人を運ぶだけ", "carry_or_receive"),
    ("預けた荷物をロッカーに入れるだけ", "carry_or_receive"),
    ("書類運搬", "carry_or_receive"),
    ("荷物受取のみ", "carry_or_receive"),
    ("荷物を受取るだけ", "carry_or_receive"),  # okurigana left out: found through Sudachi's normalized form
]
ROLE: list[Phrase] = [
    ("受け子募集", "crime_role"),
    ("出し子できる人", "crime_role"),
    ("UD案件", "crime_role"),
    ("タタキ行ける人", "crime_role"),
    ("打ち子募集", "crime_role"),
    ("かけ子経験者優遇", "crime_role"),
]
APP: list[Phrase] = [
    ("詳細はテレグラムで", "secret_app"),
    ("連絡はシグナルのみ", "secret_app"),
    ("TGで連絡ください", "secret_app"),
    ("Telegram→@wk_job", "secret_app"),
    ("やりとりはSignalで", "secret_app"),
]
DM: list[Phrase] = [
    ("詳細はDMで", "dm_contact"),
    ("気軽にDMください", "dm_contact"),
    ("興味ある方はDM", "dm_contact"),
]
ID: list[Phrase] = [
    ("身分証の写真を送ってください", "id_request"),
    ("家族構成を教えてもらいます", "id_request"),
    ("免許証の写真と実家の住所が必要", "id_request"),
]
AGE: list[Phrase] = [("高校生OK", "age_target"), ("10代歓迎", "age_target"), ("未成年可", "age_target")]
URGENT: list[Phrase] = [
    ("本日稼働可能な方", "urgency"),
    ("今日から稼げる", "urgency"),
    ("即日稼働", "urgency"),
]
SHADY: list[Phrase] = [("#裏バイト", "shady_term"), ("#闇バイト", "shady_term"), ("グレー案件", "shady_term")]
HOOKS = ["", "【急募】", "★", "✨", "募集中！", "🔥", ""]
ENDINGS = ["", "！", "🙏", "。", " 先着3名", " 早い者勝ち"]

STRONG = [WHITE, ROLE, APP, CASH, TASK, PAY]
WEAK = [DAILY, DM, ID, AGE, URGENT, SHADY]


def _evade(text: str, rng: random.Random) -> str:
    """Apply one evasion seen in recruitment posts (or none)."""
    evasions: list[Callable[[str], str]] = [
        lambda t: t,
        lambda t: " ".join(t),
        lambda t: "・".join(t),
        lambda t: jaconv.z2h(t, kana=True, ascii=False, digit=False),
        lambda t: jaconv.kata2hira(t),
        lambda t: t.replace("金", "💰").replace("円", "💴").replace("荷物", "📦"),
        lambda t: t.replace("a", "а").replace("e", "е").replace("o", "о"),
        lambda t: "#" + t,
        lambda t: jaconv.h2z(t, ascii=True, digit=True),
    ]
    return rng.choice(evasions)(text)


def _recruitment(rng: random.Random) -> tuple[str, tuple[str, ...], str]:
    strong = rng.sample(STRONG, rng.randint(1, 3))
    weak = rng.sample(WEAK, rng.randint(0, 2))
    phrases = [rng.choice(group) for group in strong + weak]
    rng.shuffle(phrases)
    parts = [_evade(text, rng) if rng.random() < 0.45 else text for text, _ in phrases]
    separator = rng.choice([" ", "\n", "　", "／", "、"])
    text = rng.choice(HOOKS) + separator.join(parts) + rng.choice(ENDINGS)
    return text, tuple(sorted({s for _, s in phrases})), "recruitment"


SUBTLE = [
    ("即日払いのバイトがあります。DMください", ("daily_pay", "dm_contact")),
    ("ちょっとした手伝いで5万。興味ある人いる？", ()),
    ("簡単なお仕事です。詳しくは個別に", ()),
    ("車持ってる人、送迎の仕事ある。条件は連絡で", ()),
    ("お小遣い欲しい学生さん、いい話あります", ()),
    ("書類を届けるだけ。交通費別で3万", ("carry_or_receive",)),
    ("引っ越しの手伝い、即日払い10万", ("daily_pay",)),
    ("荷物の受け取り代行。在宅OK、報酬は当日", ("carry_or_receive",)),
]

JOB_ADS = [
    ("コンビニスタッフ募集 時給1,150円 学生歓迎 交通費支給 日払いOK", ("daily_pay",)),
    ("倉庫内軽作業 日払い可 時給1200円〜 株式会社ミドリ物流 面接は随時", ("daily_pay",)),
    ("イベント設営スタッフ 1日のみOK 日給1万2千円 当日払い 雇用契約あり", ("daily_pay",)),
    ("カフェのホールスタッフ 時給1100円 未経験OK シフト自由", ()),
    ("引っ越しスタッフ募集 日給1万円 即日払い 要普通免許 有限会社はなまる運送", ("daily_pay",)),
    ("塾講師アルバイト 大学生歓迎 時給1,800円 研修あり 履歴書をお持ちください", ()),
    ("介護補助 社会保険完備 時給1,300円 資格取得支援あり", ()),
    ("農家の収穫バイト 日払いOK 交通費全額支給 短期歓迎", ("daily_pay",)),
    ("ホテル清掃 時給1200円 扶養内OK 面接地は駅前", ()),
    ("スーパー品出し 早朝勤務 時給1,250円 ハローワーク求人番号あり", ()),
]
DELIVERY = [
    ("配送ドライバー募集 軽バンで宅配 日払い可 要普通免許 株式会社グリーン便", ("daily_pay",)),
    ("フードデリバリー配達員 自転車OK 報酬は週払い", ()),
    ("ネットスーパーの配達 時給1,300円 社会保険完備", ()),
    ("郵便局の年末ゆうパック仕分け 時給1,200円 学生歓迎", ()),
    ("宅配便の荷物の受け取りと仕分け 倉庫勤務 時給1,150円 面接あり", ("carry_or_receive",)),
    ("書類のポスティング 1枚3円 自分のペースで 交通費支給", ()),
]
NEWS = [
    (
        "「闇バイト」に応募した20歳の男が逮捕された。テレグラムで指示を受けていたという",
        ("shady_term", "secret_app"),
    ),
    (
        "警察庁は「ホワイト案件」「即日即金」をうたう求人に応募しないよう呼びかけている",
        ("white_job", "instant_cash"),
    ),
    (
        "県警によると、容疑者はSNSで高額報酬の仕事を探し、受け子として現金を受け取った疑い",
        ("easy_high_pay", "crime_role"),
    ),
    (
        "闇バイトの勧誘に注意喚起。身分証の写真を送ると脅される例も。#9110に相談を",
        ("shady_term", "id_request"),
    ),
    ("強盗事件の被告に判決。シグナルで指示役とやりとりしていた", ("secret_app",)),
    ("「荷物を受け取るだけ」は詐欺の受け子です。応募しないで、と警察", ("carry_or_receive", "crime_role")),
    (
        "高校で闇バイト防止の授業。講師の警察官は「日給5万円からは危ない」と説明",
        ("shady_term", "easy_high_pay"),
    ),
    ("容疑者の少年は「打ち子」の募集にDMを送ったと供述。送検された", ("crime_role",)),
]
EVERYDAY = [
    ("信号待ちでシグナルが変わらない。交差点の工事かな", ("secret_app",)),
    ("即日発送で昨日頼んだ本がもう届いた", ()),
    ("ホワイトボードを買い替えたい。おすすめある？", ()),
    ("今日の夕飯はカレー。高額なスパイスを使ってみた", ()),
    ("テレグラムってどういうアプリ？ニュースでよく聞く", ("secret_app",)),
    ("宅配ボックスに荷物を受け取るだけなのに再配達になった", ("carry_or_receive",)),
    ("部活の遠征費、日払いのバイトで少しずつ貯める", ("daily_pay",)),
    ("闇バイトのニュース怖すぎる。子どもにも話しておこう", ("shady_term",)),
    ("お祭りの運営ボランティア募集！詳細はDMで", ("dm_contact",)),
    ("学校の書類を届けるだけだから、すぐ戻るね", ("carry_or_receive",)),
]
PLACES = ["", "【緑川市】", "（駅前）", "＠県内", "≪市内≫"]


def _negative(rng: random.Random) -> tuple[str, tuple[str, ...], str]:
    kind, pool = rng.choice(
        [
            ("job_ad", JOB_ADS),
            ("job_ad", JOB_ADS),
            ("delivery", DELIVERY),
            ("news", NEWS),
            ("everyday", EVERYDAY),
        ]
    )
    text, signals = rng.choice(pool)
    return rng.choice(PLACES) + text + rng.choice(["", "。", "！", " 詳細はリンク先で"]), signals, kind


def generate(*, positives: int = 220, negatives: int = 220, seed: int = 20261204) -> Iterator[Post]:
    """The corpus, deterministic for a seed: `positives` recruitment posts and `negatives` others."""
    rng = random.Random(seed)  # noqa: S311 - synthetic corpus, reproducible by design
    made: list[tuple[str, tuple[str, ...], str, int]] = []
    for number in range(positives):
        if number % 11 == 0:
            text, signals = SUBTLE[(number // 11) % len(SUBTLE)]
            made.append((text, signals, "subtle_recruitment", 1))
        else:
            made.append((*_recruitment(rng), 1))
    made += [(*_negative(rng), 0) for _ in range(negatives)]
    rng.shuffle(made)
    for number, (text, signals, kind, label) in enumerate(made, start=1):
        split = "dev" if rng.random() < 0.25 else "holdout"
        yield Post(f"p{number:04d}", text, label, kind, signals, split)


def write_jsonl(path: Path, posts: Iterator[Post]) -> int:
    """Write posts as JSON lines (UTF-8); return how many."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for post in posts:
            out.write(json.dumps(asdict(post), ensure_ascii=False) + "\n")
            count += 1
    return count
