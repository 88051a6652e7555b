"""Links that staff or residents typed, made safe to put in an `href`: http, https or relative, nothing else.

A `javascript:` or `data:` link stored by one person runs in the browser of everyone who follows it (stored
XSS), and escaping does not help: the attribute value is valid, only its scheme is dangerous. So every link
that came from a person is checked here, on the way in (`validate_link`, a Django validator for forms and
models) and on the way out (the `safe_link` template filter, for rows stored before the check existed).

The scheme is found the way browsers find it (the WHATWG URL standard): leading and trailing control
characters and spaces are ignored, and tabs and newlines anywhere are removed, so "java\\tscript:" and
" JAVASCRIPT:" are caught. Text before the first ":" that is not a valid scheme (for example "10:30 の回")
makes the link relative, which is harmless.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = ["ALLOWED_SCHEMES", "is_safe_link", "link_scheme", "safe_link", "validate_link"]

ALLOWED_SCHEMES = frozenset({"http", "https"})

_C0_OR_SPACE = "".join(chr(code) for code in range(0x21))
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def link_scheme(url: str) -> str | None:
    """The scheme a browser would see in `url`, lower-cased; None for a relative link."""
    cleaned = _TAB_OR_NEWLINE.sub("", url.strip(_C0_OR_SPACE))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def is_safe_link(url: object) -> bool:
    """True for an http(s) link or a relative one; False for javascript:, data:, vbscript:, file: and the rest."""
    if not isinstance(url, str):
        return False
    scheme = link_scheme(url)
    return scheme is None or scheme in ALLOWED_SCHEMES


def validate_link(value: str) -> None:
    """Django validator: refuse a link whose scheme is not http or https, naming the scheme."""
    if not is_safe_link(value):
        raise ValidationError(
            _("リンクは http:// か https:// で始まるものだけ使えます(「%(scheme)s:」は使えません)。"),
            code="unsafe_link",
            params={"scheme": link_scheme(value) or ""},
        )


def safe_link(value: object) -> str:
    """The link itself when it is safe, else an empty string (the template then shows no link)."""
    return value if isinstance(value, str) and is_safe_link(value) else ""
