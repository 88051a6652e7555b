"""Japanese addresses (住所): split into components and reduce to a comparison key.

One address is written in many ways::

    東京都千代田区霞が関一丁目2番3号 中央合同庁舎101号室
    千代田区霞ヶ関1-2-3 中央合同庁舎 101
    東京都千代田区霞ケ関１－２－３

:func:`parse_address` returns the parts (prefecture and municipality completed from the municipality list
when omitted, kanji numerals and full-width digits read, 丁目/番地/号 and hyphen forms both understood,
building and room split off). :func:`address_key` reduces an address to a string that is equal for all of
the spellings above.

Without a town-level database, a hyphen form is read by position: ``3-4-5`` is 3丁目4番5号, ``1234-5`` is
1234番地5 (the second number is reported as ``go``), and a fourth number is the room. The key compares the
numbers as a sequence, so 本町3丁目4番5号 and 本町3-4-5 agree whichever reading is right.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from chiiki.jp._municipalities import MunicipalityRecord, load_municipalities
from chiiki.jp._numerals import KANJI_NUMERAL_CHARS, kanji_to_int

__all__ = ["Address", "address_key", "parse_address"]

_MUNICIPAL_KINDS = {"city", "designated_city", "ward", "special_ward", "town", "village"}

_SPACES = re.compile(r"\s+")
_SPACE_IN_WORDS = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")
_POSTAL_CODE = re.compile(r"^〒?\s*\d{3}-?\d{4}\s*")
_DASH_BETWEEN_DIGITS = re.compile(r"(?<=\d)\s*[‐‑‒–—―−ーｰ~〜-]\s*(?=\d)")
_NO_BETWEEN_DIGITS = re.compile(r"(?<=\d)(?:番地?|丁目)?の(?=\d)")
# Kanji numerals count as numbers only where an address number stands: before 丁目, 番地, 番 (but not 番町,
# a town name such as 一番町), 号, or the の / hyphen that joins house numbers.
_KANJI_NUMBER = re.compile(
    rf"(?<![{KANJI_NUMERAL_CHARS}])([{KANJI_NUMERAL_CHARS}]+)(?=丁目|丁(?![{KANJI_NUMERAL_CHARS}])|番地|番(?!町|丁)|号|の[\d{KANJI_NUMERAL_CHARS}]|-)"
)
_KANJI_AFTER_MARK = re.compile(rf"(?<=[番号の-])([{KANJI_NUMERAL_CHARS}]+)(?=$|[^{KANJI_NUMERAL_CHARS}])")
# The ケ in place names is written ケ, ヶ, ヵ, が or ガ (霞が関, 霞ヶ関); ノ and の alternate the same way.
_KE_FOLD = str.maketrans({"ヶ": "ケ", "ヵ": "ケ", "が": "ケ", "ガ": "ケ", "の": "ノ"})
# Where the house-number block starts: the first number followed by a house-number marker, a hyphen, a space,
# the end, or a non-kanji character. A number followed by another kanji (北1条西, 第2地割) is part of the town.
_NUMBER_START = re.compile(
    r"\d+(?=丁目|丁(?!\d)|番地|番(?!町|丁)|号|-|\s|$|[^\d\u3400-\u9fff\uf900-\ufaff々〆])"
)
_CHOME = re.compile(r"(\d+)丁目?\s*-?\s*")
_HOUSE_NUMBERS = re.compile(
    r"(\d+)(?:番地?|号|-)?(?:\s*(\d+)(?:番地?|号|-)?)?(?:\s*(\d+)(?:号|-)?)?(?:\s*(\d+)(?:号室|号)?)?"
)
_ROOM = re.compile(r"(?:\s|^|(?<=\D))(?:#|No\.?|№)?([A-Z]?-?\d+[A-Z]?)(?:号室|号|室)?$")
_TOWN_PREFIXES = re.compile(r"^(?:大字|字)|(?<=\D)(?:大字|字)(?=\D)")


@dataclass(frozen=True)
class Address:
    """The parts of one address. Strings are NFKC-normalized; numbers are ASCII digits.

    `municipality` is the 市区町村 name as in the municipality list (札幌市中央区, 府中町) and `county` the 郡
    of a town or village, filled in from the list. `town` is the 大字/町名, `chome` the 丁目, `banchi` the
    番地 or 番, `go` the 号 (or 枝番), `building` and `room` what follows. `rest` holds what could not be
    read (the whole address when no municipality was recognized).
    """

    prefecture: str | None
    municipality: str | None
    municipality_code: str | None
    town: str | None
    chome: int | None
    banchi: str | None
    go: str | None
    building: str | None
    room: str | None
    rest: str | None
    county: str | None = None

    @property
    def town_key(self) -> str | None:
        """The town folded for comparison: ケ/ヶ/が, の/ノ, 大字/字 and kanji numerals (北一条西 -> 北1条西)."""
        return _town_key(self.town) if self.town else None

    @property
    def numbers(self) -> tuple[str, ...]:
        """丁目, 番地 and 号 as one sequence ("3", "4", "5").

        Compare this rather than `chome`/`banchi`/`go` one by one: "本町3-4" and "本町3丁目4番" give the
        same sequence, although the hyphen form alone cannot say whether 3 is a 丁目 or a 番地.
        """
        head = (str(self.chome),) if self.chome is not None else ()
        return head + tuple(part for part in (self.banchi, self.go) if part is not None)


@dataclass(frozen=True)
class _Index:
    prefectures: tuple[str, ...]
    by_name: dict[str, tuple[MunicipalityRecord, ...]]  # folded name (also 郡+name) -> records
    longest: int


@functools.cache
def _index() -> _Index:
    records = load_municipalities()
    by_name: dict[str, list[MunicipalityRecord]] = {}
    for record in records:
        if record.kind not in _MUNICIPAL_KINDS:
            continue
        for name in {record.name, record.county + record.name}:
            by_name.setdefault(_fold(name), []).append(record)
    prefectures = sorted({record.prefecture for record in records}, key=len, reverse=True)
    return _Index(
        prefectures=tuple(prefectures),
        by_name={name: tuple(found) for name, found in by_name.items()},
        longest=max(len(name) for name in by_name),
    )


def _fold(text: str) -> str:
    return text.translate(_KE_FOLD)


def _normalize(text: str) -> str:
    """NFKC, one kind of space, ASCII hyphens between digits, kanji numerals read where numbers stand."""
    text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub(" ", text).strip()
    text = _POSTAL_CODE.sub("", text)
    text = _KANJI_NUMBER.sub(lambda match: _kanji(match.group(1)), text)
    text = _KANJI_AFTER_MARK.sub(lambda match: _kanji(match.group(1)), text)
    text = _DASH_BETWEEN_DIGITS.sub("-", text)
    text = _NO_BETWEEN_DIGITS.sub("-", text)
    # A space between two Japanese characters (東京都 千代田区) is layout; one next to a digit or Latin
    # letter may separate the building and is kept.
    return _SPACE_IN_WORDS.sub("", text)


def _kanji(numeral: str) -> str:
    try:
        return str(kanji_to_int(numeral))
    except ValueError:
        return numeral


def _match_municipality(text: str, prefecture: str | None) -> tuple[MunicipalityRecord | None, str, int]:
    """Find the longest municipality name at the start of `text`.

    Returns the record (None when no name or an ambiguous name matched), the name as written, and its length.
    """
    index = _index()
    folded = _fold(text)
    for length in range(min(index.longest, len(text)), 1, -1):
        found = index.by_name.get(folded[:length])
        if not found:
            continue
        if prefecture is not None:
            found = tuple(record for record in found if record.prefecture == prefecture)
            if not found:
                continue
        codes = {record.code for record in found}
        return (found[0] if len(codes) == 1 else None), text[:length], length
    return None, "", 0


@functools.lru_cache(maxsize=1 << 16)
def parse_address(text: str) -> Address:
    """Split an address into prefecture, municipality, town, 丁目, 番地, 号, building and room.

    The prefecture is completed from the municipality list when omitted and the name is unique in Japan
    (千代田区 -> 東京都); an ambiguous name without prefecture (府中市) keeps prefecture and code None.
    Never raises for odd input: what cannot be read is returned in `rest`.
    """
    normalized = _normalize(text)
    remaining = normalized
    prefecture = next((name for name in _index().prefectures if remaining.startswith(name)), None)
    if prefecture is not None:
        remaining = remaining[len(prefecture) :].lstrip()
    record, written, length = _match_municipality(remaining, prefecture)
    if length == 0 and prefecture is None:
        # The prefecture may be written without 都/府/県 (東京千代田区, 大阪堺市); accept it only when a
        # municipality of that prefecture follows.
        for name in _index().prefectures:
            short = name[:-1] if name[-1] in "都府県" else name
            if remaining.startswith(short):
                record, written, length = _match_municipality(remaining[len(short) :], name)
                if length:
                    prefecture, remaining = name, remaining[len(short) :]
                    break
    if length == 0:
        return Address(prefecture, None, None, None, None, None, None, None, None, remaining or None)
    remaining = remaining[length:].lstrip()
    if record is not None:
        prefecture = record.prefecture
        municipality: str = record.name
    else:
        municipality = written
    town, chome, banchi, go, building, room, rest = _split_street(remaining)
    return Address(
        prefecture=prefecture,
        municipality=municipality,
        municipality_code=record.code if record else None,
        town=town,
        chome=chome,
        banchi=banchi,
        go=go,
        building=building,
        room=room,
        rest=rest,
        county=(record.county or None) if record else None,
    )


def _split_street(
    text: str,
) -> tuple[str | None, int | None, str | None, str | None, str | None, str | None, str | None]:
    """Read "本町3丁目4番5号 サンハイツ101" into town, chome, banchi, go, building, room, rest."""
    start = _NUMBER_START.search(text)
    if start is None:
        return (text or None), None, None, None, None, None, None
    town = text[: start.start()].strip() or None
    tail = text[start.start() :]
    chome: int | None = None
    if (chome_match := _CHOME.match(tail)) and re.match(r"\d+丁", tail):
        chome = int(chome_match.group(1))
        tail = tail[chome_match.end() :]
    numbers: list[str] = []
    if house := _HOUSE_NUMBERS.match(tail):
        numbers = [group for group in house.groups() if group is not None]
        tail = tail[house.end() :]
    room: str | None = None
    if chome is None and len(numbers) >= 3:
        chome = int(numbers.pop(0))
    if len(numbers) == 3:
        room = numbers.pop()
    banchi = numbers[0] if numbers else None
    go = numbers[1] if len(numbers) > 1 else None
    building = tail.strip(" ,、-") or None
    if building is not None and room is None and (room_match := _ROOM.search(building)):
        room = room_match.group(1).lstrip("-")
        building = building[: room_match.start()].strip(" ,、-") or None
    return town, chome, banchi, go, building, room, None


def _town_key(town: str) -> str:
    town = _TOWN_PREFIXES.sub("", _fold(town))
    # Kanji numerals inside town names (北一条西, 六本木) become digits so 北1条西 and 北一条西 agree.
    return re.sub(f"[{KANJI_NUMERAL_CHARS}]+", lambda match: _kanji(match.group()), town)


@functools.lru_cache(maxsize=1 << 16)
def address_key(text: str) -> str:
    """Return a comparison key for an address; spellings of the same place give the same key.

    The key holds prefecture, municipality, town and the house numbers as a sequence ("3-4-5"), with
    ケ/ヶ/が, の/ノ, 大字/字, width, spaces and kanji numerals folded. Building name and room are left out,
    because records often omit them; compare those through :func:`parse_address`. When no municipality is
    recognized the key is the folded text itself.
    """
    address = parse_address(text)
    if address.municipality is None:
        return _SPACES.sub("", _fold(address.rest or ""))
    town = address.town_key or ""
    numbers = "-".join(address.numbers)
    return _SPACES.sub("", f"{address.prefecture or ''}{_fold(address.municipality)}{town}{numbers}")
