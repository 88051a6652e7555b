"""Issue 12: a second `make demo` printed the account and letter headings with nothing under them.

`chiiki demo load` is run twice on the same database, as `make demo` does on every start: both runs print
every staff account, letter login IDs with access keys that work, and the talent bank's accounts.
"""

from __future__ import annotations

import io
import re

from django.core.management import call_command

from chiiki.demo.city import STAFF
from chiiki.surveys.contact import credentials
from chiiki.surveys.models import SurveyCase


def _load() -> str:
    out = io.StringIO()
    call_command("demo_load", persons=300, stdout=out)
    return out.getvalue()


def _section(output: str, heading: str) -> list[str]:
    """The indented lines under the line starting with `heading`."""
    lines = output.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(heading))
    body = []
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        body.append(line.split())
    return body


def test_a_second_load_prints_the_accounts_and_working_letter_keys_again(db: None) -> None:
    for _run in range(2):
        output = _load()
        staff = _section(output, "職員アカウント")
        assert [row[0] for row in staff] == [username for username, _d, _r in STAFF]
        assert all(row[1] == f"{row[0]}-pass" for row in staff)
        letters = _section(output, "依頼状の見本")
        assert len(letters) == 3
        for login_id, key in letters:
            case = SurveyCase.objects.get(login_id=login_id)
            assert credentials.verify_access_key(case, key), f"{login_id}: the printed key does not work"
            assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", key)
        talent = _section(output, "人材バンクのアカウント")
        assert [row[0] for row in talent] == ["demo-talent", "demo-company"]


def test_the_demo_letter_gives_a_help_desk_with_a_phone_number(db: None, settings: object) -> None:
    from chiiki.demo.city import load_demo
    from chiiki.surveys.actions.letters import letter_content

    setattr(settings, "CHIIKI_SURVEY_HELPDESK", "")  # noqa: B010 - pytest-django's settings fixture
    survey = load_demo(persons=300).survey.survey
    helpdesk = letter_content(survey, url="https://example.invalid/answer/").helpdesk
    assert "緑川市役所" in helpdesk
    assert re.search(r"電話 \d{2,4}-\d{2,4}-\d{4}", helpdesk)


def test_the_readme_says_how_to_serve_the_demo_on_another_port_and_the_makefile_does_it() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert "make demo PORT=" in (root / "README.md").read_text(encoding="utf-8")
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^PORT \?= 8000$", makefile, re.M)
    assert "serve --with-worker --bind $(HOST):$(PORT)" in makefile
