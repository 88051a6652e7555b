"""CSAF distribution (CSAF 2.0 §7): a provider's `provider-metadata.json` names where its documents are, as
ROLIE feeds (RFC 8322; each entry links one CSAF document) or as a directory (`directory_url`, listed by its
`index.txt`). These readers say which documents to fetch; fetching stays with the caller. The provider metadata
is checked against the official provider schema (CSAF 2.0 or 2.1) first."""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from chiiki.cyber.engine._advisories import AdvisoryError
from chiiki.cyber.engine._schema import provider_schema_problem
from chiiki.cyber.engine._tlp import TlpError, normalize_tlp

PROVIDER = "provider-metadata"
ROLIE = "rolie"
DOCUMENT = "document"
DISTRIBUTION_KINDS = (PROVIDER, ROLIE)  # what csaf_json_kind says of a file that lists documents elsewhere


@dataclass(frozen=True, slots=True)
class Distribution:
    """Where a provider publishes: a ROLIE feed (`kind` "rolie") or a directory (`kind` "directory", its URL
    ending in "/"), with the feed's TLP label when it names one."""

    kind: str
    url: str
    tlp: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentLink:
    """One CSAF document a feed or directory lists: a short name for messages, and its absolute URL."""

    name: str
    url: str


def csaf_json_kind(data: bytes) -> str | None:
    """PROVIDER for a provider-metadata.json, ROLIE for a ROLIE feed, DOCUMENT for anything else that is JSON
    (CSAF documents and lists of them), None when it is not JSON at all."""
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(parsed, dict) and "distributions" in parsed and "metadata_version" in parsed:
        return PROVIDER
    if isinstance(parsed, dict) and isinstance(parsed.get("feed"), dict):
        return ROLIE
    return DOCUMENT


def read_provider_metadata(
    data: bytes, *, url: str, document: str = "provider-metadata.json"
) -> list[Distribution]:
    """The distributions of a provider-metadata.json fetched from `url` (relative URLs resolved against it)."""
    parsed = _json(data, document)
    version = str(parsed.get("metadata_version", "")) if isinstance(parsed, dict) else ""
    if version not in ("2.0", "2.1"):
        raise AdvisoryError(
            document, "metadata_version", f"CSAF 2.0 / 2.1 の provider metadata ではありません(「{version}」)"
        )
    problem = provider_schema_problem(parsed, version)
    if problem is not None:
        raise AdvisoryError(
            document, problem[0], f"CSAF {version} の provider metadata スキーマに合いません: {problem[1]}"
        )
    result: list[Distribution] = []
    for index, distribution in enumerate(parsed["distributions"]):
        path = f"distributions[{index}]"
        if distribution.get("directory_url"):
            result.append(Distribution("directory", _directory(urljoin(url, distribution["directory_url"]))))
        for number, feed in enumerate((distribution.get("rolie") or {}).get("feeds") or ()):
            tlp = _tlp(feed.get("tlp_label"), document, f"{path}.rolie.feeds[{number}].tlp_label")
            result.append(Distribution(ROLIE, urljoin(url, str(feed["url"])), tlp))
    if not result:
        raise AdvisoryError(document, "distributions", "ROLIE フィードも directory_url もありません")
    return result


def read_rolie_feed(data: bytes, *, url: str, document: str = "feed.json") -> list[DocumentLink]:
    """The CSAF documents a ROLIE feed lists: each entry's `content.src`, else its link with rel "self"."""
    parsed = _json(data, document)
    feed = parsed.get("feed") if isinstance(parsed, dict) else None
    if not isinstance(feed, dict):
        raise AdvisoryError(document, "feed", "ROLIE フィードではありません")
    entries = feed.get("entry") or []
    if not isinstance(entries, list):
        raise AdvisoryError(document, "feed.entry", "一覧(配列)ではありません")
    links: list[DocumentLink] = []
    for index, entry in enumerate(entries):
        path = f"feed.entry[{index}]"
        if not isinstance(entry, dict):
            raise AdvisoryError(document, path, "オブジェクトではありません")
        content: Any = entry.get("content") if isinstance(entry.get("content"), dict) else {}
        href = content.get("src") or next(
            (
                link.get("href")
                for link in entry.get("link") or ()
                if isinstance(link, dict) and link.get("rel") == "self"
            ),
            None,
        )
        if not isinstance(href, str) or not href.strip():
            raise AdvisoryError(document, f"{path}.content.src", "文書の URL がありません")
        absolute = urljoin(url, href.strip())
        links.append(DocumentLink(_name(absolute, entry.get("id")), absolute))
    return links


def read_directory_index(data: bytes, *, url: str, document: str = "index.txt") -> list[DocumentLink]:
    """The documents of a CSAF directory distribution: `index.txt` lists one path per line, relative to the
    directory (`url` is the directory's URL or its index.txt's)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise AdvisoryError(document, "(file)", f"UTF-8 で読めません: {error}") from error
    links = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if not line.endswith(".json"):
            raise AdvisoryError(document, f"{number}行目", f"「{line[:100]}」は .json の文書ではありません")
        absolute = urljoin(url, line)
        links.append(DocumentLink(_name(absolute, None), absolute))
    return links


def within(base: str, url: str) -> bool:
    """True when `url` may be fetched because `base` (a configured source) was: the same scheme, host and port
    for http(s) (https never falls back to http), or a file under the base file's folder for file: URLs."""
    b, u = urlsplit(base), urlsplit(url)
    if b.scheme == "file":
        if u.scheme != "file" or u.netloc not in ("", "localhost"):
            return False
        folder = posixpath.dirname(unquote(b.path))
        target = posixpath.normpath(unquote(u.path))
        return target.startswith(folder.rstrip("/") + "/")
    return b.scheme in ("http", "https") and (u.scheme, u.netloc.lower()) == (b.scheme, b.netloc.lower())


def _json(data: bytes, document: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise AdvisoryError(document, "(file)", f"JSON として読めません: {error}") from error


def _directory(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _tlp(label: Any, document: str, path: str) -> str | None:
    if not label or str(label).upper() == "UNLABELED":
        return None
    try:
        return normalize_tlp(str(label))
    except TlpError as error:
        raise AdvisoryError(document, path, str(error)) from error


def _name(url: str, entry_id: Any) -> str:
    base = posixpath.basename(urlsplit(url).path) or url
    return base if base.endswith(".json") or not entry_id else str(entry_id)
