"""The columns an eligibility run reads: persons of the registry with their tax facts, as numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Population:
    """Persons (one entry per person) grouped into `households` households by `household_index`.

    `resident` says whether the person is registered in the municipality on the reference date. Tax facts are
    for the allowance's fiscal year (年度) and the one before; `*_record` is False where the tax extract had no
    row for the person (the household then goes to follow-up, never to payment).
    """

    households: int
    household_index: IntArray
    birth_date: npt.NDArray[np.datetime64]
    resident: BoolArray
    tax_record: BoolArray
    exempt: BoolArray
    income: IntArray
    tax_record_previous: BoolArray
    exempt_previous: BoolArray

    @property
    def persons(self) -> int:
        """How many persons the population holds."""
        return int(self.household_index.shape[0])

    def check(self) -> None:
        """Raise ValueError when the columns do not have one entry per person or a household index is out of range."""
        n = self.persons
        for name in (
            "birth_date",
            "resident",
            "tax_record",
            "exempt",
            "income",
            "tax_record_previous",
            "exempt_previous",
        ):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"column {name} has {getattr(self, name).shape[0]} entries for {n} persons")
        if n and (self.household_index.min() < 0 or self.household_index.max() >= self.households):
            raise ValueError("household_index out of range")


def ages_on(birth_date: npt.NDArray[np.datetime64], day: date) -> IntArray:
    """Age in completed years on `day` (the birthday counts from the day itself), vectorized."""
    births = birth_date.astype("datetime64[D]")
    years = births.astype("datetime64[Y]").astype(np.int64) + 1970
    months = births.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (births - births.astype("datetime64[M]")).astype(np.int64) + 1
    before_birthday = (day.month * 100 + day.day) < (months * 100 + days)
    ages: IntArray = (day.year - years - before_birthday.astype(np.int64)).astype(np.int64)
    return ages


def age_on(birth: date, day: date) -> int:
    """Age in completed years on `day` for one person (the loop baseline's arithmetic)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
