"""Fixtures for the catalog tests: AED files of two real municipalities, imported through the real action."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.opendata.actions import import_file
from chiiki.opendata.models import Dataset

AED_HEADER = "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,所在地_連結表記,緯度,経度,設置位置\n"


def aed_csv(code: str, town: str, rows: list[tuple[str, str, str, str]]) -> str:
    """An AED list; rows are (ID, 名称, 緯度, 経度)."""
    body = "".join(
        f"{code},{i},{town},{name},エーイーディー,{town}1-1,{lat},{lon},1階\n" for i, name, lat, lon in rows
    )
    return AED_HEADER + body


def cut_short_xlsx(path: Path) -> Path:
    """An AED workbook saved at `path` whose sheet stops halfway: a sound zip around broken XML.

    Excel and file transfers that stop early leave such files; the reader only finds out while parsing rows.
    """
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(AED_HEADER.strip().split(","))
    for i in range(500):
        sheet.append(
            ["343021", str(i), "広島県府中町", f"施設{i}", "シセツ", "府中町1-1", "34.39", "132.50", "1階"]
        )
    whole = io.BytesIO()
    book.save(whole)
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            body = source.read(name)
            target.writestr(name, body[: len(body) // 2] if name == "xl/worksheets/sheet1.xml" else body)
    return path


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


@pytest.fixture
def aed_a(town_a: Municipality, write_file: Callable[..., Path]) -> Dataset:
    """府中町's AED list, published."""
    path = write_file(
        "fuchu_aed.csv",
        aed_csv(
            "343021",
            "広島県府中町",
            [("1", "府中町役場", "34.3931", "132.5047"), ("2", "府中町公民館", "34.3950", "132.5100")],
        ),
        "cp932",
    )
    return import_file(town_a, path, "aed", by=Actor.system("test"), publish_now=True).dataset


@pytest.fixture
def aed_b(town_b: Municipality, write_file: Callable[..., Path]) -> Dataset:
    """宇部市's AED list, published."""
    path = write_file(
        "ube_aed.csv",
        aed_csv(
            "352021",
            "山口県宇部市",
            [("1", "宇部市役所", "33.9517", "131.2467"), ("2", "宇部新川駅", "33.9460", "131.2470")],
        ),
    )
    return import_file(town_b, path, "aed", by=Actor.system("test"), publish_now=True).dataset


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Run enqueued tasks at once (the worker is not running in tests)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def shared_live_server(db: None) -> Iterator[str]:
    """A real HTTP server on a free port that answers from the test's own database connection.

    pytest-django's live_server needs transactional tests, which end with a flush; the append-only audit
    table refuses that (triggers on SQLite and PostgreSQL). Serving from the test's connection inside its
    transaction avoids the flush and works on both databases. One thread serves requests one at a time.
    """
    conn = connections["default"]
    conn.inc_thread_sharing()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = WSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(WSGIHandler())

    def run() -> None:
        connections["default"] = conn
        server.serve_forever(poll_interval=0.05)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        conn.dec_thread_sharing()
