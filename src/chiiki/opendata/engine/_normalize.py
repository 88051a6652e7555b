"""Scalar normalizers for one cell value, by check kind.

Each normalizer takes a stripped, non-empty string and returns `(value, error)`: the normalized value
(None for "empty") and, when the value cannot be made valid, a plain-Japanese explanation. The validator
calls them only on the distinct values that fail a vectorized fast check, so they may be slow-ish Python.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

from chiiki.jp import LocalGovCodeError, repair_local_gov_code

Normalized = tuple[str | None, str | None]

_HYPHENS = str.maketrans(dict.fromkeys("‐‑‒–—―−ー－ｰ─━", "-"))
_TIME_RE = re.compile(r"^(\d{1,2})[:時](\d{1,2})(?:[:分](\d{1,2})秒?)?分?$")
# A reading may hold katakana, digits, latin letters and punctuation, but no kanji, hiragana or half-width kana.
_KATAKANA_RE = re.compile(r"^[^\u3040-\u309F\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF66-\uFF9F]*$")
# Cells that only say "nothing here"; typed columns treat them as empty.
PLACEHOLDERS = frozenset({"-", "－", "―", "ー", "‐", "−", "ｰ"})
_WEEKDAYS = "月火水木金土日"
_YES = {"有", "有り", "あり", "○", "〇", "◯", "◎", "●", "1", "true", "yes", "y", "可", "はい", "設置", "対応"}
_NO = {
    "無",
    "無し",
    "なし",
    "×",
    "✕",
    "✖",
    "0",
    "false",
    "no",
    "n",
    "不可",
    "いいえ",
    "-",
    "－",
    "未設置",
    "非対応",
}


def nfkc(text: str) -> str:
    """NFKC-normalize and strip; full-width digits, letters and colons become half-width."""
    return unicodedata.normalize("NFKC", text).strip()


def normalize_time(text: str) -> Normalized:
    """8:30, ８：３０, 7:30:00, 8時30分 -> 08:30."""
    t = nfkc(text).replace(" ", "")
    m = _TIME_RE.match(t)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2))
        if (hour < 24 and minute < 60) or (hour == 24 and minute == 0):
            return f"{hour:02d}:{minute:02d}", None
    return None, "時刻は「08:30」のように時:分（24時間制）で書きます"


def normalize_yes_no(text: str) -> Normalized:
    """○/×, 0/1, あり/なし -> 有/無."""
    t = nfkc(text).lower()
    if t in _YES:
        return "有", None
    if t in _NO:
        return "無", None
    return None, "「有」か「無」で書きます"


def normalize_flag_one(text: str) -> Normalized:
    """Disaster-type flags: 〇/1/有 -> 1, ×/0/無 -> empty."""
    value, error = normalize_yes_no(text)
    if error:
        return None, "当てはまるときは「1」、当てはまらないときは空欄にします"
    return ("1" if value == "有" else None), None


def normalize_local_gov_code(text: str) -> Normalized:
    """Repair lost leading zeros and missing check digits of 全国地方公共団体コード."""
    try:
        return repair_local_gov_code(text), None
    except LocalGovCodeError as exc:
        return None, f"全国地方公共団体コードが正しくありません（{exc}）"


def _dms(text: str) -> float | None:
    m = re.match(
        r"^(?:北緯|東経|N|E)?\s*(\d+(?:\.\d+)?)[°度]\s*(?:(\d+(?:\.\d+)?)['′分])?\s*"
        r"(?:(\d+(?:\.\d+)?)(?:\"|″|''|秒))?\s*[NEne]?$",
        text,
    )
    if not m:
        return None
    degrees = float(m.group(1)) + float(m.group(2) or 0) / 60 + float(m.group(3) or 0) / 3600
    return round(degrees, 7)


def _coordinate(text: str, label: str) -> Normalized:
    t = nfkc(text).replace(",", "").replace(" ", "")
    try:
        float(t)
        return t, None
    except ValueError:
        pass
    value = _dms(t)
    if value is not None:
        return f"{value:.7f}".rstrip("0").rstrip("."), None
    return None, f"{label}は「34.1858」のような10進数の数値で書きます"


def normalize_latitude(text: str) -> Normalized:
    """Full-width digits and 度分秒 (34°03'07.7"N) -> decimal degrees."""
    return _coordinate(text, "緯度")


def normalize_longitude(text: str) -> Normalized:
    """Full-width digits and 度分秒 -> decimal degrees."""
    return _coordinate(text, "経度")


def normalize_date(text: str) -> Normalized:
    """和暦, slashes, 年月日, Excel serial numbers -> ISO 8601 (2023-04-01)."""
    from chiiki.jp import DateParseError, parse_date

    t = nfkc(text)
    # Spreadsheet exports write midnight timestamps; the date part is what was meant.
    t = re.sub(r"[ T]0{1,2}:00(:00)?(\.0+)?$", "", t)
    try:
        return parse_date(t, allow_excel_serial=True).isoformat(), None
    except DateParseError as exc:
        return None, f"日付として読めません（{exc}）。「2024-04-01」の形で書きます"
    except (ValueError, OverflowError):
        return None, "日付として読めません。「2024-04-01」の形で書きます"


def normalize_integer(text: str) -> Normalized:
    """1,234 / １２３ / 12.0 / 282人 -> 1234 / 123 / 12 / 282."""
    t = nfkc(text).replace(",", "").replace(" ", "")
    t = re.sub(r"(人|名|台|床|件|世帯|基|個|箇所|か所|ヶ所)$", "", t)
    if re.fullmatch(r"\d+(\.0+)?", t):
        return str(int(float(t))), None
    return None, "0以上の整数（数字だけ）で書きます"


def normalize_number(text: str) -> Normalized:
    """Full-width digits and thousands separators removed."""
    t = nfkc(text).replace(",", "").replace(" ", "")
    t = re.sub(r"(m|ｍ|メートル|mm)$", "", t)
    try:
        float(t)
        return t, None
    except ValueError:
        return None, "数値（数字と小数点だけ）で書きます"


# Voiced/semi-voiced marks written as separate characters (゛゜ and half-width ﾞﾟ) become combining marks,
# so that カ゛ composes to ガ; a mark left over (ダ゛, ｷﾞﾞ: nothing to combine with) is dropped.
_SPACING_MARKS = str.maketrans(
    {"\u309b": "\u3099", "\u309c": "\u309a", "\uff9e": "\u3099", "\uff9f": "\u309a"}
)
_STRAY_MARK = re.compile("[\u3099\u309a]")


def fold_sound_marks(text: str) -> str:
    """NFKC with dakuten/handakuten attached to their kana, and stray ones dropped (ダ゛ -> ダ, ｷﾞﾞ -> ギ)."""
    t = unicodedata.normalize("NFKC", text.translate(_SPACING_MARKS))
    return _STRAY_MARK.sub("", t)


def normalize_katakana(text: str) -> Normalized:
    """Half-width katakana and hiragana -> full-width katakana; stray voiced marks dropped."""
    t = fold_sound_marks(text).strip()
    t = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in t)
    if _KATAKANA_RE.match(t):
        return t, None
    return None, "読みはカタカナで書きます（漢字が混じっています）"


def normalize_postal_code(text: str) -> Normalized:
    """〒753-0079, ７５３－００７９ -> 753-0079 (hyphen kept as written when 7 digits)."""
    t = nfkc(text).translate(_HYPHENS).replace("〒", "").replace(" ", "")
    if re.fullmatch(r"\d{3}-?\d{4}", t):
        return t, None
    return None, "郵便番号は「753-0079」のように7桁の数字で書きます"


def normalize_phone(text: str) -> Normalized:
    """Full-width digits, odd hyphens and spaces -> 083-922-1111."""
    t = nfkc(text).translate(_HYPHENS).replace(" ", "")
    if re.fullmatch(r"[0-9()+\-]{6,20}", t):
        return t, None
    return None, "電話番号は数字とハイフンだけで書きます（1つの欄に1つの番号。補足は備考へ）"


def normalize_corporate_number(text: str) -> Normalized:
    """法人番号: 13 digits."""
    t = nfkc(text).replace(" ", "").replace("-", "")
    if re.fullmatch(r"\d{13}", t):
        return t, None
    if re.fullmatch(r"[\d.]+E\+\d+", t, flags=re.IGNORECASE):
        return (
            None,
            "法人番号が Excel で指数表記（1.23E+12 など）になり、桁が失われています。元の13桁を書き直してください",
        )
    return None, "法人番号は13桁の数字で書きます"


def normalize_url(text: str) -> Normalized:
    """URLs must start with http:// or https://."""
    t = text.strip()
    if re.fullmatch(r"https?://\S+", t):
        return t, None
    return None, "URL は http:// か https:// で始まる1つのアドレスで書きます"


def normalize_email(text: str) -> Normalized:
    """Full-width @ and letters -> half-width."""
    t = nfkc(text)
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", t):
        return t, None
    return None, "メールアドレスの形になっていません"


def normalize_weekdays(text: str) -> Normalized:
    """月・火・水 / 月曜日～金曜日 / 月-金 -> 月火水 / 月火水木金."""
    t = nfkc(text).replace("曜日", "").replace("曜", "").replace("祝日", "祝")
    t = re.sub(r"[・,、/\s]", "", t)
    t = re.sub(r"[~〜～\-]", "~", t)

    def expand(m: re.Match[str]) -> str:
        a, b = _WEEKDAYS.index(m.group(1)), _WEEKDAYS.index(m.group(2))
        return _WEEKDAYS[a : b + 1] if a <= b else m.group(0)

    t = re.sub(r"([月火水木金土日])~([月火水木金土日])", expand, t)
    if re.fullmatch(r"[月火水木金土日祝]+", t):
        return t, None
    return None, "曜日は「月火水木金」のように月火水木金土日祝の文字だけで書きます（例外は特記事項の列へ）"


def normalize_choaza_id(text: str) -> Normalized:
    """町字ID is 7 digits; spreadsheets drop the leading zeros."""
    t = nfkc(text)
    if re.fullmatch(r"\d{1,7}", t):
        return t.zfill(7), None
    return None, "町字IDは7桁の数字で書きます"


def keep(text: str) -> Normalized:
    """Text columns keep their value."""
    return text, None


NORMALIZERS: dict[str, Callable[[str], Normalized]] = {
    "local_gov_code": normalize_local_gov_code,
    "katakana": normalize_katakana,
    "latitude": normalize_latitude,
    "longitude": normalize_longitude,
    "time": normalize_time,
    "date": normalize_date,
    "yes_no": normalize_yes_no,
    "flag_one": normalize_flag_one,
    "postal_code": normalize_postal_code,
    "phone": normalize_phone,
    "corporate_number": normalize_corporate_number,
    "url": normalize_url,
    "email": normalize_email,
    "integer": normalize_integer,
    "number": normalize_number,
    "weekdays": normalize_weekdays,
    "choaza_id": normalize_choaza_id,
}


def excel_date_to_iso(value: dt.date | dt.datetime) -> str:
    """A date cell from a spreadsheet as ISO 8601."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value.isoformat()
