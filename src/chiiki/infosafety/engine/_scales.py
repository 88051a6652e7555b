"""Rating scales of fact-checks: the Japan Fact-check Center's five levels and FIJ's scale.

`value` is the ClaimReview ratingValue (higher is more accurate); verdicts outside the accuracy scale
(判定留保, 検証対象外) have no value and are published without one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rating:
    """One level of a scale."""

    code: str
    label: str
    label_en: str
    value: int | None
    meaning: str


@dataclass(frozen=True, slots=True)
class Scale:
    """A named scale; best and worst are the ClaimReview bestRating/worstRating."""

    code: str
    name: str
    ratings: tuple[Rating, ...]

    @property
    def best(self) -> int:
        """The highest ratingValue on the scale."""
        return max(r.value for r in self.ratings if r.value is not None)

    @property
    def worst(self) -> int:
        """The lowest ratingValue on the scale."""
        return min(r.value for r in self.ratings if r.value is not None)

    def rating(self, code: str) -> Rating:
        """The level with this code (KeyError when the scale has none)."""
        for rating in self.ratings:
            if rating.code == code:
                return rating
        raise KeyError(code)


JFC = Scale(
    "jfc",
    "日本ファクトチェックセンター (JFC) の5段階",
    (
        Rating("accurate", "正確", "Accurate", 5, "事実の誤りがなく、重要な要素が欠けていない"),
        Rating(
            "mostly_accurate", "ほぼ正確", "Mostly accurate", 4, "一部は不正確だが、主要な部分に誤りはない"
        ),
        Rating("unfounded", "根拠不明", "Unfounded", 3, "確認できる根拠がない"),
        Rating("inaccurate", "不正確", "Inaccurate", 2, "正確な部分と不正確な部分が混じっている"),
        Rating("false", "誤り", "False", 1, "全て、もしくは根幹部分に事実の誤りがある"),
    ),
)
FIJ = Scale(
    "fij",
    "ファクトチェック・イニシアティブ (FIJ) の判定",
    (
        Rating("accurate", "正確", "Accurate", 7, "事実の誤りはなく、重要な要素が欠けていない"),
        Rating("mostly_accurate", "ほぼ正確", "Mostly accurate", 6, "一部は不正確だが、根幹に誤りはない"),
        Rating("misleading", "ミスリード", "Misleading", 5, "一見正しいが、誤解の余地が大きい"),
        Rating("inaccurate", "不正確", "Inaccurate", 4, "正確な部分と不正確な部分が混じっている"),
        Rating("unfounded", "根拠不明", "Unfounded", 3, "誤りと証明できないが、根拠がない"),
        Rating("false", "誤り", "False", 2, "全て、もしくは根幹部分に誤りがある"),
        Rating("fabricated", "虚偽", "Fabricated", 1, "全て、もしくは根幹部分に誤りがあり、故意に作られた"),
        Rating("pending", "判定留保", "Pending", None, "真偽を証明することが困難"),
        Rating("out_of_scope", "検証対象外", "Out of scope", None, "意見や主観的な認識・評価に関するもの"),
    ),
)
SCALES: dict[str, Scale] = {JFC.code: JFC, FIJ.code: FIJ}
