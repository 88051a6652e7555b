"""Disaster and election mode with the words staff write: set when the mode starts, edited while it runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.infosafety import actions
from chiiki.infosafety.engine import WatchPatternError, format_patterns, parse_patterns
from chiiki.infosafety.models import Report, WatchMode


def test_patterns_are_written_one_a_line() -> None:
    text = "動物園 + ライオン\n\n給水車＋来ない\n避難所、満員、閉鎖\n"
    assert parse_patterns(text) == [["動物園", "ライオン"], ["給水車", "来ない"], ["避難所", "満員", "閉鎖"]]
    assert format_patterns([["動物園", "ライオン"], ["堤防"]]) == "動物園 + ライオン\n堤防"
    assert parse_patterns(format_patterns([["動物園", "ライオン"]])) == [["動物園", "ライオン"]]
    with pytest.raises(WatchPatternError, match="2行目"):
        parse_patterns("堤防 + 決壊\n！！ + ★")  # only symbols would match every post
    with pytest.raises(WatchPatternError, match="1行目"):
        parse_patterns(" + ".join("あいうえおかき"))


@pytest.fixture
def editor(town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]) -> Client:
    return login(make_staff("ed1", town_a, Role.INFOSAFETY_EDITOR))


MODE = {
    "kind": "disaster",
    "title": "台風14号",
    "starts_at": "2026-01-01 00:00",
    "ends_at": "2099-01-01 00:00",
}


def test_a_mode_started_with_own_words_flags_with_them(town_a: Municipality, editor: Client) -> None:
    board = f"/staff/m/{town_a.code}/infosafety/dashboard/"
    assert editor.post(board, MODE | {"patterns": "給水車 + 来ない\n避難所 + 満員"}).status_code == 302
    mode = WatchMode.objects.get()
    assert mode.patterns == [["給水車", "来ない"], ["避難所", "満員"]]
    form = f"/factcheck/{town_a.code}/report/"
    Client().post(form, {"text": "緑川小の避難所はもう満員で入れないらしい"})
    Client().post(form, {"text": "動物園からライオンが逃げた"})  # a shipped pattern, not in this list
    assert Report.objects.get(text__contains="避難所").watch_hit == "台風14号: 避難所+満員"
    assert Report.objects.get(text__contains="ライオン").watch_hit == ""
    assert AuditEvent.objects.get(action="infosafety.watch_mode_started").detail["own_patterns"] is True
    refused = editor.post(board, MODE | {"patterns": "堤防\n@@@"})
    assert refused.status_code == 400
    assert "2行目" in refused.content.decode()
    assert WatchMode.objects.count() == 1


def test_the_words_of_a_running_mode_are_edited_on_the_dashboard(
    town_a: Municipality,
    town_b: Municipality,
    editor: Client,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    board = f"/staff/m/{town_a.code}/infosafety/dashboard/"
    editor.post(board, MODE)
    mode = WatchMode.objects.get()
    assert ["動物園", "ライオン"] in mode.patterns  # the shipped list when none is written
    page = editor.get(board).content.decode()
    edit = f"/staff/m/{town_a.code}/infosafety/watch/{mode.pk}/patterns/"
    assert edit in page
    assert "動物園 + ライオン" in page
    assert editor.post(edit, {"patterns": "動物園 + ライオン\n給水車 + 有料"}).status_code == 302
    mode.refresh_from_db()
    assert mode.patterns == [["動物園", "ライオン"], ["給水車", "有料"]]
    changed = AuditEvent.objects.get(action="infosafety.watch_patterns_changed")
    assert changed.detail["added"] == ["給水車+有料"]
    assert "堤防+決壊" in changed.detail["removed"]
    Client().post(f"/factcheck/{town_a.code}/report/", {"text": "給水車の水が有料になったって本当？"})
    assert Report.objects.get().watch_hit == "台風14号: 給水車+有料"

    bad = editor.post(edit, {"patterns": "★★★"})
    assert bad.status_code == 400
    assert "1行目" in bad.content.decode()
    assert editor.post(edit, {"patterns": ""}).status_code == 400
    mode.refresh_from_db()
    assert mode.patterns == [["動物園", "ライオン"], ["給水車", "有料"]]
    assert editor.get(edit).status_code == 405  # a form's target only
    editor_b = login(make_staff("edb", town_b, Role.INFOSAFETY_EDITOR))
    assert editor_b.post(edit, {"patterns": "x"}).status_code == 403
    other = f"/staff/m/{town_b.code}/infosafety/watch/{mode.pk}/patterns/"
    assert editor_b.post(other, {"patterns": "x"}).status_code == 404


def test_an_ended_mode_keeps_its_words(town_a: Municipality, make_staff: Callable[..., User]) -> None:
    by = Actor.for_user(make_staff("ed1", town_a, Role.INFOSAFETY_EDITOR))
    now = timezone.now()
    mode = actions.start_watch_mode(
        town_a,
        kind="election",
        title="市長選",
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=1),
        by=by,
    )
    with pytest.raises(actions.FactCheckError):
        actions.update_watch_patterns(mode, [["投票", "無効"]], by=by)
