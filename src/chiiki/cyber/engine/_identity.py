"""What a piece of software is called: Package URLs, CPE 2.3 names and plain vendor/product names.

Each identifier becomes a key (a tuple) under which advisories are indexed, so matching is a dictionary
lookup per component instead of a loop over every advisory.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from packageurl import PackageURL
from univers.version_range import RANGE_CLASS_BY_SCHEMES

Key = tuple[str, str, str, str]

# OSV ecosystem → Package URL type (https://ossf.github.io/osv-schema/ "Affected package" ecosystems).
OSV_ECOSYSTEMS: dict[str, str] = {
    "PyPI": "pypi",
    "npm": "npm",
    "Maven": "maven",
    "Go": "golang",
    "crates.io": "cargo",
    "RubyGems": "gem",
    "NuGet": "nuget",
    "Packagist": "composer",
    "Hex": "hex",
    "Pub": "pub",
    "Debian": "deb",
    "Ubuntu": "deb",
    "Alpine": "apk",
    "Red Hat": "rpm",
    "Rocky Linux": "rpm",
    "AlmaLinux": "rpm",
    "GitHub Actions": "github",
}

# The Package URL types the purl specification defines (PURL-TYPES.rst); any other type is refused by name.
KNOWN_PURL_TYPES = frozenset(
    "alpm apk bitbucket bitnami cargo cocoapods composer conan conda cpan cran deb docker gem generic github "
    "golang hackage hex huggingface luarocks maven mlflow npm nuget oci pub pypi qpkg rpm swid swift".split()
)

# Package URL types whose names are compared case-insensitively (the purl spec's per-type rules).
_CASE_FOLDED = {"pypi", "npm", "github", "bitbucket", "composer", "deb", "apk", "rpm", "golang", "hex"}


class IdentifierError(ValueError):
    """A Package URL or CPE name that cannot be read; the message names what is wrong."""


@lru_cache(maxsize=100_000)
def purl_key(text: str) -> tuple[Key, str]:
    """A Package URL → (index key, version or ""). Raises IdentifierError for a malformed one."""
    try:
        purl = PackageURL.from_string(text.strip())
    except ValueError as error:
        raise IdentifierError(f"PURL「{text}」を読めません: {error}") from error
    if purl.type not in KNOWN_PURL_TYPES:
        raise IdentifierError(f"PURL「{text}」の種類「{purl.type}」は Package URL の仕様にありません")
    return package_key(purl.type, purl.namespace or "", purl.name), purl.version or ""


def package_key(purl_type: str, namespace: str, name: str) -> Key:
    """The index key of a package, normalized as its ecosystem compares names."""
    kind = purl_type.lower()
    if kind == "pypi":
        name = re.sub(r"[-_.]+", "-", name)
    if kind in _CASE_FOLDED:
        namespace, name = namespace.lower(), name.lower()
    return ("purl", kind, namespace, name)


def scheme_of(key: Key) -> str:
    """The univers versioning scheme used to compare versions of the software under `key`."""
    if key[0] == "purl" and key[1] in RANGE_CLASS_BY_SCHEMES:
        return key[1]
    return "generic"


@dataclass(frozen=True, slots=True)
class Cpe:
    """A CPE 2.3 formatted string split into its eleven attributes (part … other)."""

    attributes: tuple[str, ...]

    @property
    def part(self) -> str:
        return self.attributes[0]

    @property
    def vendor(self) -> str:
        return self.attributes[1]

    @property
    def product(self) -> str:
        return self.attributes[2]

    @property
    def version(self) -> str:
        """The version attribute, or "" when it is ANY (*) or NA (-)."""
        value = self.attributes[3]
        return "" if value in ("*", "-") else _unquote(value)

    def key(self) -> Key:
        """Index key: part, vendor, product (case-folded, as CPE names compare)."""
        return ("cpe", self.part, self.vendor, self.product)

    def matches(self, other: Cpe) -> bool:
        """True when this CPE, read as a pattern (* = any, ? = one character), matches `other` apart from the
        version, which is compared with version semantics by the caller."""
        return all(
            _attribute_matches(mine, theirs)
            for index, (mine, theirs) in enumerate(zip(self.attributes, other.attributes, strict=True))
            if index != 3
        )


_CPE_SPLIT = re.compile(r"(?<!\\):")


@lru_cache(maxsize=100_000)
def parse_cpe(text: str) -> Cpe:
    """Read a CPE 2.3 formatted string (cpe:2.3:part:vendor:product:version:…, 13 parts) or a CPE 2.2 URI
    (cpe:/a:vendor:product:version, as JVN writes them). Raises IdentifierError naming what is wrong."""
    value = text.strip().lower()
    if value.startswith("cpe:/"):
        parts = value[5:].split(":")
        if not parts[0] or parts[0] not in ("a", "o", "h") or len(parts) < 3:
            raise IdentifierError(f"CPE 2.2「{text}」は cpe:/a|o|h:ベンダー:製品 の形ではありません")
        padded = [*parts[:11], *["*"] * (11 - min(len(parts), 11))]
        return Cpe(tuple(p or "*" for p in padded))
    parts = _CPE_SPLIT.split(value)
    if len(parts) != 13 or parts[0] != "cpe" or parts[1] != "2.3":
        raise IdentifierError(
            f"CPE「{text}」は CPE 2.3 の形式(cpe:2.3: に続く11項目、計13項目)ではありません({len(parts)}項目)"
        )
    if parts[2] not in ("a", "o", "h", "*"):
        raise IdentifierError(f"CPE「{text}」の part は a・o・h のいずれかです")
    return Cpe(tuple(parts[2:]))


def _unquote(value: str) -> str:
    return value.replace("\\", "")


def _attribute_matches(pattern: str, value: str) -> bool:
    if pattern in ("*", value) or value == "*":
        return True
    if "*" in pattern or "?" in pattern:
        regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
        return re.fullmatch(regex, value) is not None
    return False


def name_key(vendor: str, product: str) -> Key:
    """Index key of a product known only by its vendor and product names (a hand-kept list, a CSAF branch)."""
    return ("name", "", _plain(vendor), _plain(product))


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s_\-.,]+", " ", folded).strip()
