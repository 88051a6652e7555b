"""``chiiki survey notify``: send the survey request (or a reminder) by e-mail, SMS or inbox to listed households.

The contact list is a CSV (UTF-8, BOM allowed) with the columns ``login_id,channel,address``: the login ID
printed on the household's letter, ``email`` / ``sms`` / ``inbox``, and the address on that channel. Every row
is checked first; if any is wrong nothing is queued. Messages go through the notifier's outbox and are sent
by ``chiiki worker`` (or at once with the immediate task backend).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.surveys import actions, queries
from chiiki.surveys.cli_args import database_errors, survey_from
from chiiki.surveys.contact.credentials import normalize_login_id
from chiiki.surveys.contact.notifier import Recipient
from chiiki.surveys.models import NotificationOutbox

ACTOR = "chiiki survey notify"
COLUMNS = ("login_id", "channel", "address")


def read_contacts(path: Path) -> list[tuple[int, str, str, str]]:
    """(line, login ID, channel, address) of each row; raise CommandError listing every bad row."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            if reader.fieldnames is None or not set(COLUMNS) <= set(reader.fieldnames):
                raise CommandError(f"{path}: 列 {', '.join(COLUMNS)} が必要です (header must have {COLUMNS})")
            rows = [
                (
                    number,
                    normalize_login_id(row["login_id"] or ""),
                    (row["channel"] or "").strip(),
                    (row["address"] or "").strip(),
                )
                for number, row in enumerate(reader, start=2)
            ]
    except FileNotFoundError as error:
        raise CommandError(f"{path} が見つかりません (file not found)") from error
    except UnicodeDecodeError as error:
        raise CommandError(f"{path} はUTF-8のCSVではありません (not UTF-8)") from error
    problems = [
        f"  {number}行目: 送信経路 {channel!r} は email / sms / inbox のどれかにしてください"
        for number, _, channel, _ in rows
        if channel not in NotificationOutbox.Channel.values
    ] + [f"  {number}行目: 宛先が空です (address is empty)" for number, _, _, address in rows if not address]
    if problems:
        raise CommandError("連絡先の一覧に誤りがあります (bad contact rows):\n" + "\n".join(problems))
    return rows


class Command(BaseCommand):
    help = (
        "回答のお願い(または督促)をメール・SMS・お知らせ箱で送ります (queue the survey request or a reminder "
        "through the notifier for the households in a contact CSV: login_id,channel,address)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="調査ID (survey ID)")
        parser.add_argument(
            "--contacts", required=True, type=Path, help="連絡先CSV (login_id,channel,address)"
        )
        parser.add_argument(
            "--kind", choices=["request", "reminder"], default="request", help="request | reminder"
        )
        parser.add_argument("--url", default=None, help="回答サイトのURL (default: CHIIKI_SURVEY_ANSWER_URL)")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = read_contacts(options["contacts"])
        survey = survey_from(options["survey"])
        with database_errors():
            cases = queries.cases_by_login_id(survey, (row[1] for row in rows))
            unknown = [
                f"  {number}行目: {login_id}" for number, login_id, _, _ in rows if login_id not in cases
            ]
            if unknown:
                raise CommandError(
                    f"調査 {survey.pk} に無い調査対象者IDがあります (login IDs not in this survey):\n"
                    + "\n".join(unknown)
                )
            queued = actions.queue_notifications(
                survey,
                [Recipient(cases[login_id], channel, address) for _, login_id, channel, address in rows],
                kind=options["kind"],
                url=options["url"],
                by=Actor.system(ACTOR),
            )
        by_channel = Counter(row.channel for row in queued)
        summary = ", ".join(f"{channel} {count}" for channel, count in sorted(by_channel.items()))
        self.stdout.write(
            f"調査 {survey.pk}: {len(queued)} 件のお知らせを送信待ちにしました ({summary})\n"
            "  送信は chiiki worker が行います (sent by the task worker)"
        )
