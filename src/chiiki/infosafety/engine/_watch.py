"""Watch lists for disaster and election mode: rumour patterns known from past events.

A pattern is a list of words that must all appear in a post (after folding), so 「動物園」+「ライオン」 catches
every retelling of the 2016 Kumamoto post without flagging every mention of a zoo.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from chiiki.infosafety.engine._fold import fold

# (kind, words, what it recalls). Provenance: the 2016 Kumamoto post is named in issue 15; the others are the
# project's own summaries of widely reported cases, not checked against a primary source (unverified).
PAST_PATTERNS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("disaster", ("動物園", "ライオン"), "2016年 熊本地震「動物園からライオンが放たれた」(偽の写真つき)"),
    ("disaster", ("動物園", "逃げ"), "動物が逃げたという投稿 (災害のたびに繰り返される)"),
    ("disaster", ("堤防", "決壊"), "堤防が決壊したという投稿 (確認前に広がりやすい)"),
    ("disaster", ("救助", "住所"), "住所を書いた救助要請の投稿 (実在しない依頼が混じる)"),
    ("disaster", ("口座", "給付"), "被災者への給付をかたる口座番号の聞き出し"),
    ("disaster", ("地震", "予言"), "「次の地震は何日」という予言の投稿"),
    ("election", ("投票用紙", "鉛筆"), "「鉛筆で書くと書き換えられる」という投稿"),
    ("election", ("投票", "書き換え"), "票が書き換えられるという投稿"),
    ("election", ("期日前投票", "無効"), "期日前投票は無効になるという投稿"),
)


MAX_PATTERNS = 100
MAX_WORDS = 6
MAX_WORD = 40
_SEPARATORS = re.compile(r"[+＋、,，\s]+")


class WatchPatternError(ValueError):
    """A watch list staff wrote that cannot be used; the message names the line and the reason."""


def parse_patterns(text: str) -> list[list[str]]:
    """Patterns as staff write them: one a line, its words joined by + (or 、 or spaces); blank lines skipped.

    A word that folds to nothing (only symbols) would match every post, so it refuses the list, naming the line.
    """
    patterns: list[list[str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = [word for word in _SEPARATORS.split(line.strip()) if word]
        if not words:
            continue
        if len(words) > MAX_WORDS:
            raise WatchPatternError(f"{number}行目: 言葉は{MAX_WORDS}個までです")
        for word in words:
            if len(word) > MAX_WORD:
                raise WatchPatternError(f"{number}行目: 「{word[:20]}…」が長すぎます({MAX_WORD}文字まで)")
            if not fold(word, {}):
                raise WatchPatternError(f"{number}行目: 「{word}」は文字や数字を含まないため使えません")
        patterns.append(words)
    if len(patterns) > MAX_PATTERNS:
        raise WatchPatternError(f"注意する言葉の組は{MAX_PATTERNS}行までです")
    return patterns


def format_patterns(patterns: Sequence[Sequence[str]]) -> str:
    """Patterns as staff edit them: one a line, words joined by " + "."""
    return "\n".join(" + ".join(words) for words in patterns)


def default_patterns(kind: str) -> list[list[str]]:
    """The past patterns of a kind of mode, as lists of words."""
    return [list(words) for k, words, _ in PAST_PATTERNS if k == kind]


def watch_hit(text: str, patterns: Sequence[Sequence[str]]) -> str:
    """The first pattern whose words all appear in the text, joined with '+'; '' when none does."""
    key = fold(text, {})
    for words in patterns:
        if words and all(fold(word, {}) in key for word in words):
            return "+".join(words)
    return ""
