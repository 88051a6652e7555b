"""Full-width / half-width folding (全角・半角).

Japanese data mixes full-width ASCII (ＡＢＣ１２３), half-width katakana (ｶﾀｶﾅ) and the ideographic space.
These functions return new strings; callers keep the original as entered and use the result for comparison,
search or output in a required form.
"""

from __future__ import annotations

import unicodedata

import jaconv

__all__ = ["nfkc", "to_fullwidth_katakana", "to_halfwidth_ascii"]

# NFKC turns the spacing voiced marks ゛ and ゜ into a space plus a combining mark ("カ゛" -> "カ ゙"), so
# text typed with them would not compose. Turning them into the combining marks first lets NFC/NFKC compose.
_SPACING_VOICE_MARKS = str.maketrans({"゛": "\u3099", "゜": "\u309a", "ﾞ": "\u3099", "ﾟ": "\u309a"})


def nfkc(text: str) -> str:
    """Unicode NFKC normalization, with kana typed with a separate ゛/゜ composed ("カ゛" -> "ガ").

    NFKC folds full-width ASCII to half-width, half-width katakana to full-width, and compatibility
    characters such as ㈱ -> (株) and ㍻ -> 平成. Use it for keys; it is too strong for display.
    """
    return unicodedata.normalize("NFKC", text.translate(_SPACING_VOICE_MARKS))


def to_halfwidth_ascii(text: str) -> str:
    """Turn full-width letters, digits, ASCII symbols and the ideographic space into ASCII.

    Kana and kanji are left as they are ("ＡＢＣ　１２３ア" -> "ABC 123ア"). This is the form wanted for
    codes, telephone numbers, postal codes and house numbers.
    """
    return str(jaconv.z2h(text, kana=False, ascii=True, digit=True))


def to_fullwidth_katakana(text: str) -> str:
    """Turn half-width katakana into full-width, combining voiced marks ("ｶﾞｯｺｳ" -> "ガッコウ").

    ASCII letters and digits are left as they are. Full-width katakana is what 住民基本台帳 and most
    forms require for readings (フリガナ).
    """
    return str(jaconv.h2z(text, kana=True, ascii=False, digit=False))
