"""Which requests get a signed-cookie session, and the cookie's path (core/sessions.py)."""

from __future__ import annotations

from django.test import RequestFactory

from chiiki.core.sessions import cookie_session_path


def test_only_the_respondents_paths_get_a_cookie_session() -> None:
    factory = RequestFactory()
    assert cookie_session_path(factory.get("/answer/q/household/")) == "/answer/"
    assert cookie_session_path(factory.get("/answer/")) == "/answer/"
    assert cookie_session_path(factory.get("/staff/m/343021/surveys/")) is None
    assert cookie_session_path(factory.get("/procedures/")) is None


def test_under_a_script_prefix_the_cookie_path_carries_it() -> None:
    request = RequestFactory().get("/chiiki/answer/q/household/")
    request.path_info = "/answer/q/household/"
    assert cookie_session_path(request) == "/chiiki/answer/"
