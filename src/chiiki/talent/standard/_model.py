"""Typed, immutable views of the skill standards and the evidence catalog.

The JSON files under ``data/`` are the source of truth; these classes are what the rest of the
code sees after :mod:`chiiki.talent.standard._loader` has read and validated them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum


class SkillLevel(IntEnum):
    """DSS-P levels (重要度) as ordered integers: ``z`` < ``d`` < ``c`` < ``b`` < ``a``."""

    Z = 0  # 業務上で当該スキルを必要としない (wording not verified, see standard/README.md)
    D = 1  # 優先度は低いが、理解しておくことが望ましい (wording not verified)
    C = 2  # 説明可能なレベルでの理解が必要
    B = 3  # 一定の実践力と専門性が必要
    A = 4  # 高い実践力と専門性が必要

    @property
    def code(self) -> str:
        """The one-letter code used in the published standard (``"a"`` … ``"z"``)."""
        return self.name.lower()

    @classmethod
    def from_code(cls, code: str) -> SkillLevel:
        """Parse ``"a"``/``"b"``/``"c"``/``"d"``/``"z"`` (case-insensitive)."""
        try:
            return cls[code.strip().upper()]
        except KeyError:
            raise ValueError(
                f"不明なスキルレベルです: {code!r} (unknown skill level; use a, b, c, d or z)"
            ) from None


class EvidenceTier(IntEnum):
    """How well a self-assessed level is backed (根拠の強さ)."""

    SELF_DECLARED = 0  # 自己申告
    EVIDENCED = 1  # 資格・ITSS評価・プロジェクト実績で裏付けあり
    ENDORSED = 2  # 認証済み組織による推薦


@dataclass(frozen=True, slots=True)
class LevelDefinition:
    """One row of the standard's level table."""

    level: SkillLevel
    label_ja: str
    label_en: str
    label_verified: bool = False  # True only when the wording was checked against a cited source


@dataclass(frozen=True, slots=True)
class PersonType:
    """人材類型: one of DSS-P's five person types."""

    id: str
    name_ja: str
    name_en: str


@dataclass(frozen=True, slots=True)
class SkillItem:
    """スキル項目: one of the common skill list's items, with its position in skill vectors."""

    id: str
    index: int
    category_id: str
    category_ja: str
    subcategory_id: str
    subcategory_ja: str
    name_ja: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Role:
    """ロール: a role with the level it requires for every skill item (``Z`` where not required)."""

    id: str
    person_type_id: str
    name_ja: str
    name_en: str
    required: Mapping[str, SkillLevel]
    # Whether this role's row of the role × skill table was checked against a cited source (matrix_source).
    matrix_verified: bool = False
    matrix_source: str = ""


@dataclass(frozen=True, slots=True)
class SkillStandard:
    """One version of DSS-P (DX推進スキル標準)."""

    standard: str
    version: str
    published: dt.date
    title_ja: str
    title_en: str
    publisher: str
    source_document: str
    source_url: str
    levels: tuple[LevelDefinition, ...]
    person_types: tuple[PersonType, ...]
    skills: tuple[SkillItem, ...]
    roles: tuple[Role, ...]
    _skill_by_id: Mapping[str, SkillItem] = field(repr=False, compare=False)
    _role_by_id: Mapping[str, Role] = field(repr=False, compare=False)

    @property
    def tag(self) -> str:
        """The identifier a profile stores to record what it was assessed against, e.g. ``"DSS-P 1.1"``."""
        return f"{self.standard} {self.version}"

    @property
    def matrix_verified(self) -> bool:
        """True only when the standard has roles and every role's required levels were checked against a cited
        source (a version without a role table, such as 2.0 as shipped, is not verified)."""
        return bool(self.roles) and all(r.matrix_verified for r in self.roles)

    def skill(self, skill_id: str) -> SkillItem:
        """Return the skill item with this id, or raise ``KeyError`` with a readable message."""
        try:
            return self._skill_by_id[skill_id]
        except KeyError:
            raise KeyError(f"スキル項目がありません: {skill_id} (no such skill item in {self.tag})") from None

    def role(self, role_id: str) -> Role:
        """Return the role with this id, or raise ``KeyError`` with a readable message."""
        try:
            return self._role_by_id[role_id]
        except KeyError:
            raise KeyError(f"ロールがありません: {role_id} (no such role in {self.tag})") from None

    def required_vector(self, role_id: str) -> tuple[int, ...]:
        """The role's required levels as integers aligned with :attr:`skills`."""
        role = self.role(role_id)
        return tuple(int(role.required[s.id]) for s in self.skills)


@dataclass(frozen=True, slots=True)
class LiteracyItem:
    """One learning item of DSS-L (DXリテラシー標準)."""

    id: str
    area_id: str
    area_ja: str
    group_ja: str | None
    name_ja: str
    name_en: str


@dataclass(frozen=True, slots=True)
class LiteracyStandard:
    """One version of DSS-L (DXリテラシー標準); its items are attained or not, with no graded levels."""

    standard: str
    version: str
    published: dt.date
    title_ja: str
    source_document: str
    source_url: str
    items: tuple[LiteracyItem, ...]

    @property
    def tag(self) -> str:
        """The identifier recorded with an assessment, e.g. ``"DSS-L 1.1"``."""
        return f"{self.standard} {self.version}"


@dataclass(frozen=True, slots=True)
class Certification:
    """A certification and the skill levels it evidences."""

    id: str
    issuer: str
    name_ja: str
    itss_level: int | None
    valid_years: int | None
    evidence: Mapping[str, SkillLevel]
    literacy: tuple[str, ...]

    def valid_on(self, obtained_on: dt.date, as_of: dt.date) -> bool:
        """Whether a certificate obtained on ``obtained_on`` still counts on ``as_of``."""
        if obtained_on > as_of:
            return False
        if self.valid_years is None:
            return True
        try:
            expiry = obtained_on.replace(year=obtained_on.year + self.valid_years)
        except ValueError:  # 29 February
            expiry = obtained_on.replace(year=obtained_on.year + self.valid_years, day=28)
        return as_of < expiry


@dataclass(frozen=True, slots=True)
class EvidenceCatalog:
    """Mapping from ITSS levels and certifications to evidence for DSS-P skill levels."""

    version: str
    date: dt.date
    standard_versions: tuple[str, ...]
    itss_levels: Mapping[int, SkillLevel]
    certifications: Mapping[str, Certification]

    def certification(self, cert_id: str) -> Certification:
        """Return a certification by id, or raise ``KeyError`` with a readable message."""
        try:
            return self.certifications[cert_id]
        except KeyError:
            raise KeyError(f"資格が登録されていません: {cert_id} (unknown certification)") from None
