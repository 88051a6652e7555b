"""Small code lists the matching engine encodes as integers and bit masks.

Prefectures use the JIS X 0401 codes 1–47; a set of prefectures is a 64-bit mask with bit ``code - 1``.
"""

from __future__ import annotations

from enum import IntEnum

PREFECTURES: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip

# 地方区分 (eight regions) by prefecture code, index 0 unused.
REGION_NAMES: tuple[str, ...] = ("北海道", "東北", "関東", "中部", "近畿", "中国", "四国", "九州・沖縄")
_REGION_BOUNDS = ((1, 1), (2, 7), (8, 14), (15, 23), (24, 30), (31, 35), (36, 39), (40, 47))
REGION_OF_PREFECTURE: tuple[int, ...] = (
    -1,
    *(region for code in range(1, 48) for region, (lo, hi) in enumerate(_REGION_BOUNDS) if lo <= code <= hi),
)


def prefecture_name(code: int) -> str:
    """The prefecture's name for a JIS code 1–47."""
    if not 1 <= code <= 47:
        raise ValueError(f"都道府県コードは1〜47です: {code} (prefecture code must be 1-47)")
    return PREFECTURES[code - 1]


def prefecture_mask(codes: list[int] | tuple[int, ...] | set[int] | frozenset[int]) -> int:
    """A 64-bit mask with bit ``code - 1`` set for each prefecture code."""
    mask = 0
    for code in codes:
        prefecture_name(code)
        mask |= 1 << (code - 1)
    return mask


class ProfileKind(IntEnum):
    """What a person registers as (several at once are allowed); values are bit positions."""

    DIGITAL_TALENT = 0  # デジタル人材
    MENTOR = 1  # メンター・ロールモデル
    MANAGEMENT = 2  # 経営人材
    SIDE_JOB = 3  # 副業・兼業プロフェッショナル


class NeedKind(IntEnum):
    """What a need asks for; each kind is served by one profile kind (see :data:`SERVED_BY`)."""

    PROJECT = 0  # プロジェクト
    SIDE_JOB = 1  # 副業・兼業の役割
    FULL_TIME = 2  # 正社員・常勤の役割
    MENTORING = 3  # メンタリング依頼


SERVED_BY: dict[NeedKind, tuple[ProfileKind, ...]] = {
    NeedKind.PROJECT: (ProfileKind.DIGITAL_TALENT, ProfileKind.SIDE_JOB),
    NeedKind.SIDE_JOB: (ProfileKind.SIDE_JOB,),
    NeedKind.FULL_TIME: (ProfileKind.DIGITAL_TALENT, ProfileKind.MANAGEMENT),
    NeedKind.MENTORING: (ProfileKind.MENTOR,),
}


def kinds_mask(kinds: tuple[ProfileKind, ...] | list[ProfileKind] | set[ProfileKind]) -> int:
    """Bit mask of profile kinds."""
    mask = 0
    for kind in kinds:
        mask |= 1 << int(kind)
    return mask


class WorkMode(IntEnum):
    """Where the work happens."""

    REMOTE = 0  # リモート
    ON_SITE = 1  # 現地
    HYBRID = 2  # 併用 (remote with on-site visits)


WORK_MODE_JA: dict[WorkMode, str] = {
    WorkMode.REMOTE: "リモート",
    WorkMode.ON_SITE: "現地",
    WorkMode.HYBRID: "併用",
}


class StartupStage(IntEnum):
    """Startup stage a mentor supports or a mentoring request states."""

    SEED = 0  # シード
    EARLY = 1  # アーリー
    MIDDLE = 2  # ミドル
    LATER = 3  # レイター


STARTUP_STAGE_JA: dict[StartupStage, str] = {
    StartupStage.SEED: "シード",
    StartupStage.EARLY: "アーリー",
    StartupStage.MIDDLE: "ミドル",
    StartupStage.LATER: "レイター",
}

# Business fields for mentoring (bit positions). Kept short on purpose: a mentor ticks a few.
BUSINESS_FIELDS: tuple[str, ...] = (
    "IT・ソフトウェア", "製造業", "農林水産業", "観光・宿泊", "医療・福祉", "小売・EC", "エネルギー・環境",
    "金融", "教育", "物流", "建設・不動産", "食品", "地域交通", "行政・公共",
)  # fmt: skip

LANGUAGES: tuple[str, ...] = ("ja", "en", "zh", "ko", "vi", "pt", "es", "tl", "id", "ne", "th", "fr")


def language_mask(codes: list[str] | tuple[str, ...] | set[str]) -> int:
    """Bit mask of ISO 639-1 language codes from :data:`LANGUAGES`."""
    mask = 0
    for code in codes:
        if code not in LANGUAGES:
            raise ValueError(f"未対応の言語コードです: {code} (unsupported language code)")
        mask |= 1 << LANGUAGES.index(code)
    return mask
