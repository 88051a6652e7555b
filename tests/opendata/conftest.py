"""Fixtures for the catalog tests: AED files of two real municipalities, imported through the real action."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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
    return import_file(town_a, path, "aed", by=None, publish_now=True, actor_label="test").dataset


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
    return import_file(town_b, path, "aed", by=None, publish_now=True, actor_label="test").dataset


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Run enqueued tasks at once (the worker is not running in tests)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
