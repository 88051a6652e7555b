"""A real `chiiki worker` loads a feed queued from the command line and the alert appears (real processes,
a database of their own)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.security.live import live_database
from tests.security.test_worker_supervision import running, wait_for

from .conftest import ADVISORIES, PREFECTURE, TOWN_CSV

SETUP = f"""
from chiiki.core.models import Municipality
Municipality.objects.create(code="{PREFECTURE}", prefecture_code="34", prefecture="広島県", name="広島県",
                            name_kana="ヒロシマケン", kind="prefecture")
"""


@pytest.mark.slow
def test_the_worker_loads_a_queued_feed_and_the_town_gets_its_alert(tmp_path: Path) -> None:
    with live_database(tmp_path, "cyber") as live:
        live.chiiki("shell", "-c", SETUP)
        inventory = tmp_path / "town.csv"
        inventory.write_bytes(TOWN_CSV.encode("cp932"))
        done = live.chiiki("cyber", "inventory", str(inventory), "--municipality", PREFECTURE,
                           "--body", "府中町役場", "--kind", "municipality")  # fmt: skip
        assert "追加 3" in done.stdout
        queued = live.chiiki("cyber", "load", str(ADVISORIES / "cisco-sa-20180328-smi2.csaf.json"),
                             "--municipality", PREFECTURE, "--format", "csaf")  # fmt: skip
        assert "job" in queued.stdout
        assert live.query("SELECT status FROM cyber_feedimport") == [("queued",)]
        log = tmp_path / "worker.log"
        with running([sys.executable, "-m", "chiiki", "worker"], live, log):
            status = wait_for(
                lambda: [r for r in live.query("SELECT status, message FROM cyber_feedimport") if r[0] != "queued" and r[0] != "running"],
                "the feed to be loaded", log,
            )  # fmt: skip
        assert status[0][0] == "done", status
        alerts = live.query(
            "SELECT a.identifier, s.name FROM cyber_alert l JOIN cyber_advisory a ON a.id = l.advisory_id "
            "JOIN cyber_asset s ON s.id = l.asset_id"
        )
        assert alerts == [("cisco-sa-20180328-smi2", "IOS")]
        actors = live.query(
            "SELECT actor_label FROM core_auditevent WHERE action = 'cyber.advisories_loaded'"
        )
        assert actors == [("chiiki cyber feed",)]
