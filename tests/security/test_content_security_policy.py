"""Every response carries a Content-Security-Policy that refuses scripts not served by us; no template carries an
inline script, so the policy breaks no page; typed links are held to http(s) or relative (issue 13, finding 2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.template import engines
from django.test import Client

from chiiki.core.links import is_safe_link, link_scheme, safe_link, validate_link

SRC = Path(__file__).resolve().parents[2] / "src" / "chiiki"


def _policy(header: str) -> dict[str, list[str]]:
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/healthz",
        "/staff/login/",
        "/answer/",
        "/opendata/",
        "/talent/",
        "/api/docs",
        "/no-such-page/",  # the 404 page too
        "/static/chiiki/chiiki.css",  # static files are served through the same middleware
    ],
)
def test_every_response_refuses_scripts_from_elsewhere_and_inline(db: None, path: str) -> None:
    response = Client().get(path)
    policy = _policy(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    # Injected <style> elements are refused where the browser knows style-src-elem.
    assert policy["style-src-elem"] == ["'self'"]


def test_a_signed_in_staff_page_carries_the_policy_too(town_a, make_staff, login) -> None:  # type: ignore[no-untyped-def]
    from chiiki.core.models import Role

    client = login(make_staff("a-admin", town_a, Role.ADMINISTRATOR))
    response = client.get(f"/staff/m/{town_a.code}/staff/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def _templates() -> list[Path]:
    return sorted(SRC.rglob("templates/**/*.html"))


def test_no_template_carries_an_inline_script_an_event_handler_or_a_javascript_link() -> None:
    """The policy forbids inline script; a template with one would break under it (and invite XSS)."""
    assert len(_templates()) > 50
    offending = [
        f"{path.relative_to(SRC)}: {match.group(0)[:60]}"
        for path in _templates()
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL)
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offending == []


@pytest.mark.parametrize(
    "url",
    [
        "https://www.city.example.lg.jp/",
        "http://example.jp/a?b=c#d",
        "HTTPS://EXAMPLE.JP/",
        "/opendata/",
        "relative/path.csv",
        "?page=2",
        "#top",
        "//example.jp/protocol-relative",
        "10:30 の回",  # text before ":" that is not a scheme: a relative link
        "",
    ],
)
def test_http_https_and_relative_links_are_kept(url: str) -> None:
    assert is_safe_link(url)
    validate_link(url)
    assert safe_link(url) == url


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("javascript:alert(1)", "javascript"),
        ("JaVaScRiPt:alert(1)", "javascript"),
        ("  javascript:alert(1)", "javascript"),  # leading spaces are ignored by browsers
        ("\x00\x01javascript:alert(1)", "javascript"),  # so are leading control characters
        ("java\tscript:alert(1)", "javascript"),  # and tabs and newlines anywhere
        ("java\nscript:alert(1)", "javascript"),
        ("jav\r\nascript:alert(1)", "javascript"),
        ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "data"),
        ("vbscript:msgbox(1)", "vbscript"),
        ("file:///etc/passwd", "file"),
        ("mailto:someone@example.jp", "mailto"),
    ],
)
def test_every_other_scheme_is_refused_naming_it(url: str, scheme: str) -> None:
    assert link_scheme(url) == scheme
    assert not is_safe_link(url)
    assert safe_link(url) == ""
    with pytest.raises(ValidationError) as refused:
        validate_link(url)
    assert f"「{scheme}:」" in str(refused.value.messages[0])


def test_something_that_is_not_text_is_not_a_link() -> None:
    assert not is_safe_link(None)
    assert safe_link(42) == ""


def test_the_template_filter_drops_a_dangerous_stored_link() -> None:
    template = engines["django"].from_string(
        '{% load chiiki_links %}<a href="{{ url|safe_link }}">{{ url }}</a>'
    )
    assert (
        template.render({"url": "https://example.jp/"})
        == '<a href="https://example.jp/">https://example.jp/</a>'
    )
    assert template.render({"url": " javascript:alert(1)"}).startswith('<a href="">')
