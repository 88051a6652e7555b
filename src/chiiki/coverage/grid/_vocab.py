"""The words residents, staff and measurement files use for carriers and technologies, and their codes."""

from __future__ import annotations

import unicodedata

CARRIERS: dict[str, str] = {
    "docomo": "NTTドコモ",
    "au": "au(KDDI)",
    "softbank": "ソフトバンク",
    "rakuten": "楽天モバイル",
}
_CARRIER_SPELLINGS: dict[str, str] = {
    "docomo": "docomo",
    "nttdocomo": "docomo",
    "ドコモ": "docomo",
    "nttドコモ": "docomo",
    "au": "au",
    "kddi": "au",
    "au(kddi)": "au",
    "uqmobile": "au",
    "povo": "au",
    "softbank": "softbank",
    "ソフトバンク": "softbank",
    "ymobile": "softbank",
    "y!mobile": "softbank",
    "ワイモバイル": "softbank",
    "rakuten": "rakuten",
    "rakutenmobile": "rakuten",
    "楽天": "rakuten",
    "楽天モバイル": "rakuten",
}
# "none": the phone had no service at all (圏外) when the sample was taken.
TECHNOLOGIES = ("5G", "4G", "none")
_TECHNOLOGY_SPELLINGS: dict[str, str] = {
    "5g": "5G",
    "nr": "5G",
    "5gnr": "5G",
    "nsa": "5G",
    "sa": "5G",
    "4g": "4G",
    "lte": "4G",
    "4glte": "4G",
    "none": "none",
    "nosignal": "none",
    "noservice": "none",
    "圏外": "none",
}


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    return "".join(folded.split()).replace("-", "").replace("_", "")


def normalize_carrier(text: str) -> str | None:
    """The carrier code (docomo, au, softbank, rakuten) of a spelling, or None when it is not one of them."""
    return _CARRIER_SPELLINGS.get(_key(text))


def normalize_technology(text: str) -> str | None:
    """'5G', '4G' or 'none' for a spelling (LTE, NR, 圏外…), or None when unknown."""
    return _TECHNOLOGY_SPELLINGS.get(_key(text))
