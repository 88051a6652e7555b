"""JIS X 0410 地域メッシュ: codes to latitude/longitude and back, exactly, with integer arithmetic.

Every level is a whole number of 250 m cells (5次メッシュ, the finest this app uses): a 250 m cell is 7.5″ of
latitude and 11.25″ of longitude, so a point's cell indices are floor(lat × 480) and floor((lon − 100) × 320).
A 1st-order mesh is 320 × 320 such cells, a 2nd-order 40 × 40, a 3rd-order (1 km) 4 × 4, a half mesh (500 m)
2 × 2. Working in integers avoids the rounding drift of dividing degrees level by level.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Cells of 250 m per degree of latitude and of longitude.
LAT_UNITS = 480
LON_UNITS = 320
# Digits of a code at each level and the side of its cell in 250 m units.
LEVEL_DIGITS = {1: 4, 2: 6, 3: 8, 4: 9, 5: 10}
LEVEL_SIDE = {1: 320, 2: 40, 3: 4, 4: 2, 5: 1}
LEVEL_NAMES = {
    1: "第1次地域区画(80km)",
    2: "第2次地域区画(10km)",
    3: "基準地域メッシュ(1km)",
    4: "2分の1地域メッシュ(500m)",
    5: "4分の1地域メッシュ(250m)",
}
_DIGITS_TO_LEVEL = {digits: level for level, digits in LEVEL_DIGITS.items()}
# 1st-order codes that can hold Japanese land or sea areas: latitude code 20°..46° → 30..69, longitude 122°..154°.
_LAT1_RANGE = range(30, 70)
_LON1_RANGE = range(22, 54)
_EPSILON = 1e-9


class MeshCodeError(ValueError):
    """A mesh code that is not a JIS X 0410 code (wrong length, impossible digit); the message says which."""


@dataclass(frozen=True, slots=True)
class MeshCell:
    """One cell: its code, level and bounds in degrees (south, west, north, east)."""

    code: str
    level: int
    south: float
    west: float
    north: float
    east: float

    @property
    def center(self) -> tuple[float, float]:
        """(latitude, longitude) of the cell's centre."""
        return (self.south + self.north) / 2, (self.west + self.east) / 2


def _units(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat * LAT_UNITS + _EPSILON), math.floor((lon - 100) * LON_UNITS + _EPSILON)


def meshcode_from_units(y: int, x: int, level: int) -> str:
    """The code at `level` of the 250 m cell with indices (y, x) (see module docstring)."""
    code = f"{y // 320:02d}{x // 320:02d}"
    if level >= 2:
        code += f"{(y % 320) // 40}{(x % 320) // 40}"
    if level >= 3:
        code += f"{(y % 40) // 4}{(x % 40) // 4}"
    if level >= 4:
        code += str(((y % 4) // 2) * 2 + (x % 4) // 2 + 1)
    if level >= 5:
        code += str((y % 2) * 2 + x % 2 + 1)
    return code


def to_meshcode(lat: float, lon: float, level: int = 3) -> str:
    """The mesh code of level 1–5 (80 km, 10 km, 1 km, 500 m, 250 m) holding the point (JGD2011 degrees)."""
    if level not in LEVEL_DIGITS:
        raise MeshCodeError(f"メッシュの次数 {level} は扱えません(1〜5)")
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise MeshCodeError("緯度・経度が数ではありません")
    return meshcode_from_units(*_units(lat, lon), level)


def level_of(code: str) -> int:
    """The level of a code from its length, after checking every digit (MeshCodeError names the bad one)."""
    return parse_meshcode(code).level


def _check_digits(code: str) -> int:
    if not re.fullmatch(r"[0-9]+", code):
        raise MeshCodeError(f"メッシュコード「{code}」に数字以外の文字があります")
    level = _DIGITS_TO_LEVEL.get(len(code))
    if level is None:
        raise MeshCodeError(f"メッシュコード「{code}」は {len(code)} 桁です(4・6・8・9・10 桁のいずれか)")
    if int(code[:2]) not in _LAT1_RANGE or int(code[2:4]) not in _LON1_RANGE:
        raise MeshCodeError(f"メッシュコード「{code}」の第1次区画 {code[:4]} は日本の範囲外です")
    if level >= 2 and (code[4] in "89" or code[5] in "89"):
        raise MeshCodeError(f"メッシュコード「{code}」の第2次区画の数字(5・6桁目)は 0〜7 です")
    for position in (8, 9):
        if len(code) > position and code[position] not in "1234":
            raise MeshCodeError(f"メッシュコード「{code}」の {position + 1} 桁目は 1〜4 です")
    return level


def parse_meshcode(code: str) -> MeshCell:
    """The cell of a code, with its bounds; MeshCodeError for a wrong length or an impossible digit."""
    code = code.strip()
    level = _check_digits(code)
    y, x = int(code[:2]) * 320, int(code[2:4]) * 320
    if level >= 2:
        y, x = y + int(code[4]) * 40, x + int(code[5]) * 40
    if level >= 3:
        y, x = y + int(code[6]) * 4, x + int(code[7]) * 4
    for position, side in ((8, 2), (9, 1)):
        if level > position - 5:
            quarter = int(code[position]) - 1
            y, x = y + (quarter // 2) * side, x + (quarter % 2) * side
    side = LEVEL_SIDE[level]
    return MeshCell(
        code=code,
        level=level,
        south=y / LAT_UNITS,
        west=100 + x / LON_UNITS,
        north=(y + side) / LAT_UNITS,
        east=100 + (x + side) / LON_UNITS,
    )


def parent_code(code: str, level: int) -> str:
    """The code of the cell at a coarser `level` that holds `code` (a prefix for levels 1–5)."""
    own = level_of(code)
    if level > own:
        raise MeshCodeError(f"メッシュコード「{code}」より細かい次数 {level} の親はありません")
    return code[: LEVEL_DIGITS[level]]
