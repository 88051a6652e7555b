"""Japanese tokenization with SudachiPy; the dictionary is the `sudachidict_core` package (no download).

A tokenizer object is not safe to share between threads, so each thread makes its own on first use.
"""

from __future__ import annotations

import threading

from sudachipy import Dictionary, SplitMode, Tokenizer  # type: ignore[import-untyped]  # no py.typed marker

_local = threading.local()
SUDACHI_MAX_BYTES = 40_000  # Sudachi refuses input above ~49 kB; posts are cut well below that


def _tokenizer() -> Tokenizer:
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        tokenizer = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
        _local.tokenizer = tokenizer
    return tokenizer


def _fit(text: str) -> str:
    data = text.encode("utf-8")
    return data[:SUDACHI_MAX_BYTES].decode("utf-8", "ignore") if len(data) > SUDACHI_MAX_BYTES else text


def tokens(text: str) -> list[str]:
    """The surface forms of `text`'s words (Sudachi split mode C), without spaces."""
    return [m.surface() for m in _tokenizer().tokenize(_fit(text)) if not m.surface().isspace()]


def normalized_tokens(text: str) -> list[str]:
    """Sudachi's normalized form of each word: spelling variants fold (受取 -> 受け取り, ｽﾏﾎ -> スマートフォン)."""
    return [m.normalized_form() for m in _tokenizer().tokenize(_fit(text)) if not m.surface().isspace()]


_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞"})
_STOP = frozenset(
    {
        "する",
        "為る",
        "いる",
        "居る",
        "ある",
        "有る",
        "なる",
        "成る",
        "れる",
        "言う",
        "思う",
        "こと",
        "事",
        "もの",
        "物",
        "よう",
        "様",
        "そう",
        "本当",
        "らしい",
        "みたい",
        "ため",
        "為",
        "今",
        "さん",
        "方",
    }
)


def content_words(text: str) -> list[str]:
    """Normalized forms of the nouns, verbs and adjectives of `text` (what a claim is about)."""
    words = []
    for m in _tokenizer().tokenize(_fit(text)):
        pos = m.part_of_speech()
        if (
            pos[0] in _CONTENT_POS
            and pos[1] not in ("数詞", "非自立可能")
            and m.normalized_form() not in _STOP
        ):
            words.append(m.normalized_form())
    return words
