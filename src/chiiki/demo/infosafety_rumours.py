"""A SYNTHETIC disaster day of posts for clustering: rumours retold with the changes people make, and chatter.

Written for this project (no real posts). Each rumour is a sentence put together from places, things and events
of a fictional town; each retelling adds a prefix or an ending (「拡散希望」, 「らしい」), writes a word in
katakana or full width, drops or repeats a character, and adds a URL or a mention. Rumour sizes follow a
heavy-tailed law (a few rumours are retold thousands of times); a share of the posts are one-off chatter.
Deterministic for a seed. Used by bench/infosafety.py and the engine's tests.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

PLACES = (
    "緑川",
    "本町",
    "駅前",
    "中央公園",
    "東小学校",
    "西中学校",
    "市民病院",
    "北団地",
    "南橋",
    "旧市街",
    "川沿いの住宅地",
    "港",
    "山手",
    "新町",
    "緑が丘",
    "体育館",
    "図書館",
    "市役所",
    "商店街",
    "工業団地",
)
THINGS = (
    "堤防",
    "避難所",
    "給水所",
    "橋",
    "トンネル",
    "変電所",
    "ダム",
    "ガソリンスタンド",
    "スーパー",
    "コンビニ",
    "病院",
    "動物園",
    "浄水場",
    "携帯の基地局",
    "信号",
    "バス",
    "電車",
    "道路",
    "ため池",
    "倉庫",
)
EVENTS = (
    "が決壊した",
    "が満員で入れない",
    "が閉鎖された",
    "が崩れた",
    "で火事が起きている",
    "から有毒ガスが出ている",
    "の水が飲めなくなった",
    "に泥棒が出ている",
    "が今夜から停電する",
    "がもう使えない",
    "からライオンが逃げた",
    "で配給が打ち切られた",
    "が水没している",
    "で外国人が暴れている",
    "の職員が逃げた",
    "に自衛隊が来ない",
)
DETAILS = (
    "午後3時ごろ",
    "今朝",
    "さっき",
    "昨日の夜",
    "1時間前",
    "いま",
    "夕方",
    "朝6時",
    "深夜",
    "正午すぎ",
)
PREFIXES = (
    "",
    "",
    "【拡散希望】",
    "拡散して！",
    "RT ",
    "まじか、",
    "速報 ",
    "【注意】",
    "友達から聞いた話だけど、",
)
ENDINGS = (
    "",
    "",
    "らしい",
    "って本当？",
    "みんな気をつけて",
    "！！",
    "とのこと",
    "。近づかないで",
    "そうです",
)
NAMES = (
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "松本",
    "井上",
)
FOLLOWS = (
    "{name}さんが見た",
    "{name}さんの写真あり",
    "消防車{n}台",
    "{name}商店の人の話",
    "{n}人けが",
    "{name}先生情報",
    "{n}時から通行止め",
    "{name}さん一家が避難",
)
CHATTER = (
    "雨すごい",
    "停電まだ？",
    "家族みんな無事です",
    "電車止まってる",
    "コンビニにパンがない",
    "充電があと20%",
    "避難するか迷ってる",
    "風の音がこわい",
    "ありがとう消防団",
    "水を買いに行く",
    "猫が鳴きやまない",
    "ラジオつけてる",
    "職場から帰れない",
    "道が川みたい",
    "明日の学校は休み？",
    "お見舞い申し上げます",
    "ペットと避難できる？",
    "車を高台に移した",
    "懐中電灯の電池がない",
    "窓にテープを貼った",
    "おばあちゃんに電話がつながらない",
    "給食センターは無事かな",
    "テレビで川の映像を見た",
    "雷が近い",
    "明日の仕事どうしよう",
    "ガソリン入れておけばよかった",
    "子どもが寝てくれない",
    "近所の人と集まってる",
    "スマホの充電器を貸してもらった",
    "雨漏りしてきた",
    "避難所の毛布あったかい",
    "川の音が大きくなってきた",
    "屋根が飛ばされそう",
    "カップ麺で夕飯",
    "防災無線が聞こえにくい",
    "母が心配",
    "土のうを積んだ",
    "隣の家の木が倒れた",
    "米を研いでおいた",
    "お風呂に水をためた",
)
_KATAKANA = {chr(c): chr(c + 0x60) for c in range(0x3041, 0x3097)}
_FULL = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


SHOP = "松竹梅桜菊藤萩桃柿栗杉桐楓椿葵蓮萌翠朱碧紅白黒金銀鶴亀鷹鳩燕雀鹿熊猿龍虎星月雲雪霞嵐潮浜岬峰泉滝沢湊"


def rumour(rng: random.Random) -> str:
    """One rumour as first posted: a place and a shop that name it, what happened, who said so."""
    place, thing = rng.choice(PLACES), rng.choice(THINGS)
    shop = "".join(rng.sample(SHOP, 2)) + rng.choice(("屋", "堂", "亭", "館", "園"))
    follow = rng.choice(FOLLOWS).format(name=rng.choice(NAMES), n=rng.randint(2, 30))
    return (
        f"{rng.choice(DETAILS)}{place}{rng.randint(1, 9)}丁目{rng.randint(1, 40)}番の{shop}の近くの"
        f"{thing}{rng.choice(EVENTS)}。{follow}"
    )


def retell(text: str, rng: random.Random, *, serial: int) -> str:
    """A retelling: prefix or ending, katakana or full width, a character dropped or doubled, a link."""
    if rng.random() < 0.2:
        text = "".join(_KATAKANA.get(c, c) for c in text)
    if rng.random() < 0.2:
        text = "".join(_FULL.get(c, c) for c in text)
    if rng.random() < 0.2 and len(text) > 12:
        at = rng.randrange(4, len(text) - 4)
        text = text[:at] + text[at + 1 :] if rng.random() < 0.5 else text[:at] + text[at] + text[at:]
    text = rng.choice(PREFIXES) + text + rng.choice(ENDINGS)
    if rng.random() < 0.4:
        text += f" https://x.example/s/{serial}"
    if rng.random() < 0.2:
        text = f"@user{serial % 9973} " + text
    return text


def chatter(rng: random.Random, *, serial: int) -> tuple[str, int]:
    """A one-off post about something else: a remark and a few words of the person's own (its cluster number is
    negative and its own)."""
    own = "".join(rng.choice(_OWN) for _ in range(8))
    return f"{rng.choice(CHATTER)}。{own}", -1 - serial


_OWN = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわん"


def disaster_day(posts: int, *, seed: int = 2016, chatter_share: float = 0.2) -> Iterator[tuple[str, int]]:
    """(text, cluster) for `posts` posts: a rumour's number, or a negative number of its own for chatter.
    Rumours are drawn with Zipf-like weights, so a few are retold very often."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible for a seed
    rumours = max(10, posts // 40)
    texts = [rumour(rng) for _ in range(rumours)]
    weights = [1 / (rank + 1) ** 0.9 for rank in range(rumours)]
    drawn = rng.choices(range(rumours), weights=weights, k=posts)
    for serial, number in enumerate(drawn):
        if rng.random() < chatter_share:
            yield chatter(rng, serial=serial)
        else:
            yield retell(texts[number], rng, serial=serial), number
