"""The UI shell: a Japanese home page with an English switch, a staff home listing what roles open."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.test import Client

from chiiki.core.models import Municipality, Role, User


def test_home_is_japanese_with_landmarks_and_skip_link(db: None) -> None:
    html = Client().get("/").content.decode()
    assert '<html lang="ja"' in html
    assert "職員ログイン" in html
    assert 'href="#main"' in html
    assert 'id="main"' in html
    assert "<header" in html
    assert "<main" in html
    assert "<footer" in html
    assert "<nav" in html


def test_home_leads_residents_data_users_and_talent_to_their_pages(db: None) -> None:
    # The home page once offered only the staff login: a resident with a letter found no way to answer.
    html = Client().get("/").content.decode()
    for path in ("/answer/", "/opendata/", "/talent/", "/staff/login/"):
        assert f'href="{path}"' in html, path


def test_language_switch_turns_the_interface_english(db: None) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "Staff login" in html
    assert "職員ログイン" not in html


def test_staff_home_lists_only_the_apps_of_the_users_roles(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    auditor = login(make_staff("a-auditor", town_a, Role.AUDITOR)).get("/staff/").content.decode()
    assert "/staff/audit/" in auditor
    assert f"/staff/m/{town_a.code}/registry/" not in auditor
    admin = login(make_staff("a-admin", town_a, Role.ADMINISTRATOR)).get("/staff/").content.decode()
    assert f"/staff/m/{town_a.code}/registry/" in admin
    assert "/staff/audit/" not in admin


def test_pages_work_without_javascript(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_staff("a-admin", town_a, Role.ADMINISTRATOR))
    for url in (
        "/",
        "/staff/",
        f"/staff/m/{town_a.code}/registry/",
        f"/staff/m/{town_a.code}/registry/import/",
    ):
        html = client.get(url).content.decode()
        assert not re.search(r"<script", html), url


def test_registry_upload_is_imported_by_the_task_worker(
    town_a: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_tasks_db.models import DBTaskResult

    from chiiki.registry.models import Person, RegistryUpload
    from chiiki.registry.tasks import import_uploaded_registry

    client = login(make_staff("a-admin", town_a, Role.ADMINISTRATOR))
    extract = (
        "世帯番号,個人番号,氏,名,性別,生年月日,続柄,地区コード,地区名,住所\n"
        "1,1,山田,太郎,1,S30.1.2,世帯主,01,本町,広島県府中町本町1番地\n"
    ).encode("cp932")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/staff/m/{town_a.code}/registry/import/",
            {"file": SimpleUploadedFile("jumin.csv", extract), "replace": "on"},
        )
    assert response.status_code == 302
    upload = RegistryUpload.objects.get()
    assert upload.status == RegistryUpload.Status.QUEUED
    # The request queued exactly one task for the worker; run it as the worker would.
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("import_uploaded_registry")
    assert queued.args_kwargs["args"] == [upload.pk]
    import_uploaded_registry.call(*queued.args_kwargs["args"])
    upload.refresh_from_db()
    assert upload.status == RegistryUpload.Status.DONE, upload.message
    assert list(Person.objects.filter(municipality=town_a).values_list("family_name", flat=True)) == ["山田"]


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CHIIKI_SECRET_KEY": secrets.token_urlsafe(64),
        "CHIIKI_VAR_DIR": str(tmp_path),
        "CHIIKI_ALLOWED_HOSTS": "chiiki.example.lg.jp",
        "CHIIKI_TRUSTED_PROXIES": "127.0.0.1",
    }
    env.pop("CHIIKI_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "chiiki", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr + done.stdout


def test_the_header_offers_the_staff_menu_only_to_staff(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    staff = login(make_staff("a-auditor", town_a, Role.AUDITOR)).get("/talent/").content.decode()
    assert 'href="/staff/">職員メニュー' in staff
    # A talent-bank account holds no role: the staff menu would be an empty page for it.
    person = login(make_staff("hanako")).get("/talent/").content.decode()
    assert 'href="/staff/"' not in person
    assert 'href="/talent/">人材バンク' in person


def test_the_sign_in_page_names_the_talent_bank_to_people_coming_from_it(db: None) -> None:
    assert "<h1>職員ログイン</h1>" in Client().get("/staff/login/").content.decode()
    from_talent = Client().get("/staff/login/", {"next": "/talent/"}).content.decode()
    assert "<h1>人材バンクにログイン</h1>" in from_talent
    assert "職員ログイン" not in from_talent
