"""Synthetic resident registries and incoming records with the error patterns of real linkage work.

For the linkage tests, the benchmark (bench/linkage.py) and `chiiki linkage synth`; Django-free.

The registry (住民基本台帳) is generated household by household: a family name drawn with its real
frequency (japanese-personal-name-dataset counts, so 佐藤 and 鈴木 are shared as often as in life), given
names drawn from the dataset's popular-name lists, plausible ages inside a household, and an address in a
real municipality. Deliberately hard cases are planted: twins (same family name, birth date and address),
namesakes born the same day in another town, and registry names written with old variant kanji (髙, 﨑, 邊).

Records (e.g. an insurer's file) are copies of registry persons with the mistakes found in practice:
variant kanji, hiragana or half-width kana, odd spacing, 和暦 and other date spellings, day/month swaps and
one-digit typos, moves to another address, missing fields, a family name changed by marriage, a family
member's birth date on the form; plus records about people who are not in the registry at all, some of
whom share name, birth date and sex with a registered person (the pattern behind the 2023 wrong links).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from japanese_personal_name_dataset import load_dataset

from chiiki.jp import MunicipalityRecord, format_wareki, load_municipalities, variant_groups

__all__ = [
    "RECORD_COLUMNS",
    "REGISTRY_COLUMNS",
    "TRUTH_COLUMNS",
    "ErrorRates",
    "Person",
    "SyntheticData",
    "generate",
]

REGISTRY_COLUMNS = ("person_id", "name_kanji", "name_kana", "birth_date", "sex", "address", "postal_code")
RECORD_COLUMNS = ("record_id", "name_kanji", "name_kana", "birth_date", "sex", "address", "postal_code")
TRUTH_COLUMNS = ("record_id", "person_id", "patterns")

_TOWN_STEMS = (
    "本町", "栄町", "緑町", "旭町", "中央", "東町", "西町", "南町", "北町", "桜木町", "若葉", "大和町",
    "宮前", "新町", "元町", "幸町", "春日", "日吉", "高砂", "松原", "希望ケ丘", "自由が丘", "梅ケ丘",
    "緑が丘", "富士見", "青葉台", "朝日町", "錦町", "八幡", "天神",
)  # fmt: skip
_BUILDINGS = ("コーポ", "ハイツ", "メゾン", "グランド", "パレス", "レジデンス")
_HALF_KATA = str.maketrans(
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンー",
    "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｰ",
)
_FULL_DIGITS = str.maketrans("0123456789-", "０１２３４５６７８９－")


@dataclass
class Person:
    """One registered (or unregistered) person as generated, before any error is applied."""

    person_id: str
    family_kanji: str
    family_kana: str
    given_kanji: str
    given_kana: str
    birth: dt.date
    sex: int
    municipality: MunicipalityRecord
    town: str
    chome: int
    banchi: int
    go: int
    building: str = ""
    household: int = 0


@dataclass
class SyntheticData:
    """Generated registry rows, record rows and ground truth (record_id -> person_id or '')."""

    registry: list[dict[str, str]]
    records: list[dict[str, str]]
    truth: list[dict[str, str]]
    persons: dict[str, Person] = field(default_factory=dict)


@dataclass(frozen=True)
class ErrorRates:
    """How often each mistake is made on a record (independent draws, per record)."""

    not_in_registry: float = 0.04
    namesake_not_in_registry: float = 0.01
    variant_kanji: float = 0.5
    kanji_typo: float = 0.005
    hiragana: float = 0.15
    halfwidth_kana: float = 0.10
    kana_missing: float = 0.03
    date_swap: float = 0.01
    date_typo: float = 0.01
    date_missing: float = 0.005
    sex_missing: float = 0.03
    moved: float = 0.02
    address_missing: float = 0.01
    postal_missing: float = 0.10
    marriage: float = 0.01
    family_member_date: float = 0.005


@cache
def _name_pools() -> tuple[
    list[tuple[str, str]], list[int], list[tuple[str, list[str]]], list[tuple[str, list[str]]]
]:
    men, women, last = load_dataset("opti", include_last_names=True)
    families = [(kanji, entry["reading"]) for kanji, entry in last.items() if entry["reading"]]
    weights = [max(1, last[kanji]["count"]) for kanji, _ in families]
    male = [(reading, entry["kanji"]) for reading, entry in men.items() if entry["kanji"]]
    female = [(reading, entry["kanji"]) for reading, entry in women.items() if entry["kanji"]]
    return families, weights, male, female


def _katakana(hiragana: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in hiragana)


def _hiragana(katakana: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in katakana)


def _zipf_weights(n: int) -> list[float]:
    # Given-name popularity is skewed; the dataset lists names without counts, so rank them (in a
    # fixed shuffled order) with a Zipf law, which is how name frequencies behave in birth statistics.
    return [1.0 / (rank + 1) ** 0.9 for rank in range(n)]


class _Generator:
    def __init__(self, seed: int, rates: ErrorRates) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
        self.rates = rates
        families, weights, male, female = _name_pools()
        self.families = families
        self.family_cum = _cumulative(weights)
        order = random.Random(7)  # noqa: S311 - fixed popularity ranking independent of the seed
        self.male = list(male)
        self.female = list(female)
        order.shuffle(self.male)
        order.shuffle(self.female)
        self.male_cum = _cumulative(_zipf_weights(len(self.male)))
        self.female_cum = _cumulative(_zipf_weights(len(self.female)))
        munis = [m for m in load_municipalities() if m.kind not in ("prefecture", "designated_city")]
        self.rng.shuffle(munis)
        self.municipalities = munis[:300]
        self.towns = {m.code: self.rng.sample(_TOWN_STEMS, 8) for m in self.municipalities}
        self.variants: dict[str, list[str]] = {}
        for group in variant_groups():
            for char in group:
                self.variants[char] = sorted(group - {char})
        self.next_person = 0
        self.next_household = 0

    # -- people ---------------------------------------------------------------------------------
    def family_name(self) -> tuple[str, str]:
        kanji, reading = self.families[_draw(self.rng, self.family_cum)]
        return kanji, _katakana(reading)

    def given_name(self, sex: int) -> tuple[str, str]:
        pool, cum = (self.male, self.male_cum) if sex == 1 else (self.female, self.female_cum)
        reading, kanjis = pool[_draw(self.rng, cum)]
        kanji = kanjis[min(int(self.rng.expovariate(0.5)), len(kanjis) - 1)]
        return kanji, _katakana(reading)

    def address(self) -> tuple[MunicipalityRecord, str, int, int, int, str]:
        muni = self.rng.choice(self.municipalities)
        town = self.rng.choice(self.towns[muni.code])
        building = ""
        if self.rng.random() < 0.2:
            building = (
                f"{self.rng.choice(_BUILDINGS)}{town[:2]} {self.rng.randint(1, 5)}0{self.rng.randint(1, 9)}"
            )
        chome, banchi, go = self.rng.randint(1, 5), self.rng.randint(1, 40), self.rng.randint(1, 30)
        return muni, town, chome, banchi, go, building

    def new_id(self) -> str:
        self.next_person += 1
        return f"P{self.next_person:08d}"

    def birth(self, start_year: int, end_year: int) -> dt.date:
        start = dt.date(max(1925, start_year), 1, 1).toordinal()
        end = dt.date(min(2024, end_year), 12, 31).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, max(start, end)))

    def household(self) -> list[Person]:
        self.next_household += 1
        family_kanji, family_kana = self.family_name()
        muni, town, chome, banchi, go, building = self.address()
        size = self.rng.choices((1, 2, 3, 4, 5), weights=(38, 28, 17, 12, 5))[0]
        head_sex = self.rng.choice((1, 2))
        head_birth = self.birth(1935, 2000)

        used: set[str] = set()

        def person(sex: int, birth: dt.date) -> Person:
            # Two members of one family register (戸籍) cannot share a given name, so redraw on a clash.
            given_kanji, given_kana = self.given_name(sex)
            while given_kanji in used or given_kana in used:
                given_kanji, given_kana = self.given_name(sex)
            used.update((given_kanji, given_kana))
            return Person(
                self.new_id(), family_kanji, family_kana, given_kanji, given_kana, birth, sex,
                muni, town, chome, banchi, go, building, self.next_household,
            )  # fmt: skip

        members = [person(head_sex, head_birth)]
        if size >= 2:
            spouse_birth = head_birth + dt.timedelta(days=self.rng.randint(-2500, 2500))
            members.append(person(3 - head_sex, spouse_birth))
        children_born = head_birth.year + self.rng.randint(24, 38)
        twins = size >= 4 and self.rng.random() < 0.08
        for index in range(max(0, size - 2)):
            if twins and index == 1:
                members.append(person(self.rng.choice((1, 2)), members[-1].birth))
                continue
            members.append(
                person(
                    self.rng.choice((1, 2)), self.birth(children_born + index * 2, children_born + index * 3)
                )
            )
        return members

    # -- writing a registry row -------------------------------------------------------------------
    def registry_row(self, p: Person) -> dict[str, str]:
        family = p.family_kanji
        # Registries keep the old form a person registered with (髙橋, 山﨑): ~1 in 5 where one exists.
        if any(c in self.variants for c in family) and self.rng.random() < 0.2:
            family = "".join(self.rng.choice(self.variants[c]) if c in self.variants else c for c in family)
            p.family_kanji = family
        muni = p.municipality
        address = f"{muni.full_name}{p.town}{_kanji_number(p.chome)}丁目{p.banchi}番{p.go}号"
        if p.building:
            address += f" {p.building}号室"
        return {
            "person_id": p.person_id,
            "name_kanji": f"{family}\u3000{p.given_kanji}",
            "name_kana": f"{p.family_kana}\u3000{p.given_kana}",
            "birth_date": p.birth.isoformat(),
            "sex": str(p.sex),
            "address": address,
            "postal_code": _postal_code(muni.code, p.town, hyphen=True),
        }

    # -- writing a record row with mistakes -------------------------------------------------------
    def record_row(
        self, record_id: str, p: Person, household: Sequence[Person], patterns: list[str]
    ) -> dict[str, str]:
        # The three parts draw from one generator in a fixed order, so a seed always gives the same records.
        name_kanji, name_kana = self.record_names(p, patterns)
        birth_text, sex_text = self.record_birth_and_sex(p, household, patterns)
        address, postal = self.record_place(p, patterns)
        return {
            "record_id": record_id,
            "name_kanji": name_kanji,
            "name_kana": name_kana,
            "birth_date": birth_text,
            "sex": sex_text,
            "address": address,
            "postal_code": postal,
        }

    def record_names(self, p: Person, patterns: list[str]) -> tuple[str, str]:
        """Kanji name and reading with marriage, variant kanji, typos, spacing and kana mistakes."""
        rng, rates = self.rng, self.rates
        family_kanji, family_kana = p.family_kanji, p.family_kana
        if rng.random() < rates.marriage:
            family_kanji, family_kana = self.family_name()
            patterns.append("marriage")
        if rng.random() < rates.variant_kanji and any(
            c in self.variants for c in family_kanji + p.given_kanji
        ):
            family_kanji = "".join(
                rng.choice(self.variants[c]) if c in self.variants else c for c in family_kanji
            )
            patterns.append("variant_kanji")
        given_kanji = p.given_kanji
        if rng.random() < rates.kanji_typo:
            given_kanji = given_kanji[:-1] + rng.choice("子美一二郎太夫雄")
            patterns.append("kanji_typo")
        separator = rng.choice(("\u3000", " ", "", "  ", "\u3000"))
        name_kanji = f"{family_kanji}{separator}{given_kanji}"
        name_kana = f"{family_kana}{rng.choice((chr(0x3000), ' ', ''))}{p.given_kana}"
        return name_kanji, self.kana_mistakes(name_kana, patterns)

    def kana_mistakes(self, name_kana: str, patterns: list[str]) -> str:
        """The reading in hiragana or half-width kana, or left out, at the configured rates."""
        rng, rates = self.rng, self.rates
        draw = rng.random()
        if draw < rates.hiragana:
            name_kana = _hiragana(name_kana)
            patterns.append("hiragana")
        elif draw < rates.hiragana + rates.halfwidth_kana:
            name_kana = name_kana.translate(_HALF_KATA)
            patterns.append("halfwidth_kana")
        if rng.random() < rates.kana_missing:
            name_kana = ""
            patterns.append("kana_missing")
        return name_kana

    def record_birth_and_sex(
        self, p: Person, household: Sequence[Person], patterns: list[str]
    ) -> tuple[str, str]:
        """Birth date as some office writes it (or a family member's) and the sex code, sometimes blank."""
        rng, rates = self.rng, self.rates
        birth, sex = p.birth, p.sex
        if rng.random() < rates.family_member_date and len(household) > 1:
            other = rng.choice([m for m in household if m is not p])
            birth, sex = other.birth, other.sex
            patterns.append("family_member_date")
        birth_text = self.date_text(birth, patterns)
        sex_text = "" if rng.random() < rates.sex_missing else str(sex)
        if not sex_text:
            patterns.append("sex_missing")
        return birth_text, sex_text

    def record_place(self, p: Person, patterns: list[str]) -> tuple[str, str]:
        """Address and postal code in one of the usual spellings, after a move or left blank."""
        rng, rates = self.rng, self.rates
        muni, town, chome, banchi, go, building = p.municipality, p.town, p.chome, p.banchi, p.go, p.building
        if rng.random() < rates.moved:
            muni, town, chome, banchi, go, building = self.address()
            patterns.append("moved")
        address = self.address_text(muni, town, chome, banchi, go, building)
        if rng.random() < rates.address_missing:
            address = ""
            patterns.append("address_missing")
        postal = _postal_code(muni.code, town, hyphen=rng.random() < 0.7)
        if rng.random() < 0.1:
            postal = "〒" + postal.translate(_FULL_DIGITS)
        if rng.random() < rates.postal_missing:
            postal = ""
        return address, postal

    def date_text(self, birth: dt.date, patterns: list[str]) -> str:
        rng, rates = self.rng, self.rates
        if rng.random() < rates.date_missing:
            patterns.append("date_missing")
            return ""
        if rng.random() < rates.date_swap and birth.day <= 12 and birth.day != birth.month:
            birth = birth.replace(month=birth.day, day=birth.month)
            patterns.append("date_swap")
        elif rng.random() < rates.date_typo:
            birth = _one_digit_typo(rng, birth)
            patterns.append("date_typo")
        style = rng.random()
        if style < 0.3:
            return birth.isoformat()
        if style < 0.45:
            return f"{birth.year}/{birth.month}/{birth.day}"
        if style < 0.55:
            return f"{birth.year}年{birth.month}月{birth.day}日"
        if style < 0.65:
            return birth.strftime("%Y%m%d")
        if style < 0.85:
            return format_wareki(birth, "kanji_gannen")
        return format_wareki(birth, rng.choice(("letter", "letter_padded")))

    def address_text(
        self, muni: MunicipalityRecord, town: str, chome: int, banchi: int, go: int, building: str
    ) -> str:
        rng = self.rng
        head = muni.full_name if rng.random() < 0.6 else f"{muni.county}{muni.name}"
        style = rng.random()
        if style < 0.35:
            text = f"{head}{town}{_kanji_number(chome)}丁目{banchi}番{go}号"
        elif style < 0.7:
            text = f"{head}{town}{chome}-{banchi}-{go}"
        elif style < 0.85:
            text = f"{head}{town}{chome}丁目{banchi}番地{go}"
        else:
            text = f"{head}{town}{chome}-{banchi}-{go}".translate(_FULL_DIGITS)
        if rng.random() < 0.5:
            text = text.replace("ケ", rng.choice(("ヶ", "が", "ケ")))
        if building and rng.random() < 0.7:
            text += f"{rng.choice((' ', chr(0x3000), ''))}{building}"
        return text


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _draw(rng: random.Random, cumulative: list[float]) -> int:
    return min(bisect.bisect_right(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def _kanji_number(n: int) -> str:
    if n <= 10:
        return "〇一二三四五六七八九十"[n]
    return str(n)


def _postal_code(muni_code: str, town: str, *, hyphen: bool) -> str:
    # A stable made-up code per town: the first three digits follow the municipality, as real ones do.
    digits = f"{int(muni_code[:5]) % 1000:03d}{(sum(map(ord, town)) * 37 + int(muni_code[2:5])) % 10000:04d}"
    return f"{digits[:3]}-{digits[3:]}" if hyphen else digits


def _one_digit_typo(rng: random.Random, birth: dt.date) -> dt.date:
    text = birth.strftime("%Y%m%d")
    for _ in range(20):
        position = rng.randrange(2, 8)
        changed = text[:position] + rng.choice("0123456789") + text[position + 1 :]
        try:
            candidate = dt.datetime.strptime(changed, "%Y%m%d").date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
        if candidate != birth and candidate.year <= 2024:
            return candidate
    return birth


def generate(persons: int, records: int, seed: int = 0, rates: ErrorRates | None = None) -> SyntheticData:
    """Generate a registry of about ``persons`` people and ``records`` records with known truth.

    Each record's truth is the registry person it describes, or '' for people outside the registry.
    ``patterns`` in the truth rows names the mistakes applied, so a benchmark can break results down.
    """
    gen = _Generator(seed, rates or ErrorRates())
    people: list[Person] = []
    households: dict[int, list[Person]] = {}
    while len(people) < persons:
        members = gen.household()
        households[members[0].household] = members
        people.extend(members)
        # Namesakes: the same name, birth date and sex registered in another town (about 0.5 %).
        if gen.rng.random() < 0.005 * len(members):
            twin_of = gen.rng.choice(members)
            muni, town, chome, banchi, go, building = gen.address()
            namesake = Person(
                gen.new_id(), twin_of.family_kanji, twin_of.family_kana, twin_of.given_kanji,
                twin_of.given_kana, twin_of.birth, twin_of.sex, muni, town, chome, banchi, go, building,
            )  # fmt: skip
            gen.next_household += 1
            namesake.household = gen.next_household
            households[namesake.household] = [namesake]
            people.append(namesake)
    del people[persons:]
    registry = [gen.registry_row(p) for p in people]

    rates, r = gen.rates, gen.rng
    n_out = round(records * (rates.not_in_registry + rates.namesake_not_in_registry))
    n_in = min(records - n_out, len(people))
    chosen = r.sample(people, n_in)
    out_rows: list[tuple[Person, list[Person], list[str]]] = []
    for p in chosen:
        out_rows.append((p, households[p.household], []))
    while len(out_rows) < records:
        if r.random() < rates.namesake_not_in_registry / (
            rates.not_in_registry + rates.namesake_not_in_registry
        ):
            twin_of = r.choice(people)
            muni, town, chome, banchi, go, building = gen.address()
            outsider = Person(
                gen.new_id(), twin_of.family_kanji, twin_of.family_kana, twin_of.given_kanji,
                twin_of.given_kana, twin_of.birth, twin_of.sex, muni, town, chome, banchi, go, building,
            )  # fmt: skip
            out_rows.append((outsider, [outsider], ["not_in_registry", "namesake"]))
        else:
            outsider = gen.household()[0]
            out_rows.append((outsider, [outsider], ["not_in_registry"]))
    r.shuffle(out_rows)
    record_rows: list[dict[str, str]] = []
    truth: list[dict[str, str]] = []
    for index, (p, household, patterns) in enumerate(out_rows, start=1):
        record_id = f"R{index:08d}"
        record_rows.append(gen.record_row(record_id, p, household, patterns))
        in_registry = "not_in_registry" not in patterns
        truth.append(
            {
                "record_id": record_id,
                "person_id": p.person_id if in_registry else "",
                "patterns": ";".join(patterns),
            }
        )
    return SyntheticData(registry, record_rows, truth, {p.person_id: p for p in people})
