"""The list of Japanese prefectures and municipalities shipped as data (see data/README.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "municipalities.csv"


@dataclass(frozen=True, slots=True)
class MunicipalityRecord:
    """One row of the 全国地方公共団体コード list."""

    code: str
    prefecture_code: str
    prefecture: str
    prefecture_kana: str
    county: str
    name: str
    name_kana: str
    kind: str
    # Romanized from the readings (scripts/build_municipalities.py), not the bodies' own English names.
    prefecture_en: str = ""
    name_en: str = ""

    @property
    def full_name(self) -> str:
        """Prefecture and name as written on an address, e.g. 広島県安芸郡府中町; a prefecture alone for kind prefecture."""
        if self.kind == "prefecture":
            return self.prefecture
        return f"{self.prefecture}{self.county}{self.name}"


@cache
def load_municipalities() -> tuple[MunicipalityRecord, ...]:
    """Return every record of data/municipalities.csv, in code order (read once per process)."""
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return tuple(MunicipalityRecord(**row) for row in csv.DictReader(handle))


@cache
def by_code() -> dict[str, MunicipalityRecord]:
    """Map each 6-digit code to its record."""
    return {record.code: record for record in load_municipalities()}


def find_municipality(code: str) -> MunicipalityRecord | None:
    """Return the record for a 6-digit code, or None."""
    return by_code().get(code)
