"""The advisory sources the worker loads on a schedule, as the operator configures them.

`CHIIKI_CYBER_SOURCES` lists one source per line (or separated by `;`): the operator's municipality code, the
format, a URL (http or https) or an absolute file path, and optionally the TLP label for documents that carry
none, separated by spaces:

    340006 jvn https://jvndb.jvn.jp/myjvn?method=getVulnOverviewList&feed=hnd
    340006 kev /srv/chiiki/feeds/known_exploited_vulnerabilities.json
    340006 csaf https://example.jp/csaf/advisory.json AMBER

A file path is read as a `file:` URL. Staff never type a URL the server fetches: only these (and
`CHIIKI_CYBER_FEED_URLS`) are fetched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from chiiki.cyber import engine

FORMATS = ("osv", "csaf", "nvd", "jvn", "kev", "epss")


@dataclass(frozen=True, slots=True)
class Source:
    """One configured source; `problem` says why an entry cannot be used (it is then skipped and reported)."""

    entry: str
    municipality_code: str = ""
    source_format: str = ""
    url: str = ""
    tlp: str = engine.CLEAR
    problem: str = ""


def parse_sources(text: str) -> list[Source]:
    """The sources written in `text` (see the module's docstring); a malformed entry is kept with its problem."""
    entries = [line.strip() for line in text.replace(";", "\n").splitlines() if line.strip()]
    return [_parse(entry) for entry in entries]


def _parse(entry: str) -> Source:
    parts = entry.split()
    if len(parts) not in (3, 4):
        return Source(entry, problem="「団体コード 形式 URL または絶対パス [TLP]」の形ではありません")
    code, fmt, location = parts[:3]
    if fmt not in FORMATS:
        return Source(entry, problem=f"形式「{fmt}」は扱えません({', '.join(FORMATS)})")
    if location.startswith(("http://", "https://")):
        url = location
    elif os.path.isabs(location):
        url = Path(location).as_uri()
    else:
        return Source(entry, problem=f"「{location}」は http(s) の URL でも絶対パスでもありません")
    tlp = engine.CLEAR
    if len(parts) == 4:
        try:
            tlp = engine.normalize_tlp(parts[3])
        except engine.TlpError as error:
            return Source(entry, problem=str(error))
    return Source(entry, code, fmt, url, tlp)


def configured_sources() -> list[Source]:
    """The sources of `CHIIKI_CYBER_SOURCES` (empty when unset)."""
    return parse_sources(str(getattr(settings, "CHIIKI_CYBER_SOURCES", "")))


def source_urls() -> set[str]:
    """The URLs (file: included) the configured sources may fetch."""
    return {s.url for s in configured_sources() if not s.problem}
