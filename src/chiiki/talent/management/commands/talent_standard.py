"""`chiiki talent standard list | load FILE | carry-over MAPPING --from TAG`: the skill standard as data.

`load` shows the differences from the version in use and installs the file as a new version (or a new
revision of the same version: loading the official role × skill table removes the "not verified" warning).
`carry-over` moves profiles and needs assessed under an older version to the one in use, by a mapping file.
The layouts are in docs/apps/talent.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.tables import TableReadError, read_table_bytes
from chiiki.talent import actions, skills
from chiiki.talent.actions import TalentActionError
from chiiki.talent.models import SkillStandardVersion
from chiiki.talent.standard import (
    DefinitionError,
    available_versions,
    read_definition_csv,
    read_mapping_csv,
    shipped_definition,
)

ACTOR = "chiiki talent standard"


def read_definition(path: Path) -> dict[str, Any]:
    """A definition from a file: JSON in the data files' structure, else the CSV layout."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"{path} を読めません: {error.strerror}") from error
    if path.suffix.lower() == ".json":
        try:
            loaded = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{path}: JSON として読めません ({error})") from error
        if not isinstance(loaded, dict):
            raise CommandError(f"{path}: JSON object expected")
        return loaded
    try:
        return read_definition_csv(read_table_bytes(path, label="スキル標準の定義"))
    except (DefinitionError, TableReadError) as error:
        raise CommandError(f"{path}: {error}(何も書き込んでいません / nothing was installed)") from error


class Command(BaseCommand):
    help = "スキル標準(DSS-P)の版を一覧・導入・移行します (list, load and carry over skill-standard versions)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("list", help="導入済みの版と同梱の版")
        load = sub.add_parser("load", help="定義ファイル(CSV/JSON)を新しい版として導入")
        load.add_argument("file", nargs="?", type=Path)
        load.add_argument("--shipped", metavar="VERSION", help="Chiiki に同梱の版を導入 (e.g. 2.0)")
        load.add_argument("--dry-run", action="store_true", help="差分を表示するだけで導入しない")
        load.add_argument("--keep-current", action="store_true", help="導入しても使用中の版は変えない")
        carry = sub.add_parser("carry-over", help="旧い版で評価されたプロフィールとニーズを使用中の版へ移す")
        carry.add_argument("mapping", type=Path, help="CSV: kind,from,to (kind = skill or role)")
        carry.add_argument("--from", dest="source", required=True, help='移行元の版 (e.g. "DSS-P 1.1")')

    def handle(self, *args: Any, **options: Any) -> None:
        {"list": self._list, "load": self._load, "carry-over": self._carry}[options["verb"]](options)

    def _list(self, options: dict[str, Any]) -> None:
        current = skills.current_standard()
        self.stdout.write(
            f"使用中 / in use: {current.tag} (重要度の表: {'確認済み' if current.matrix_verified else '未確認'})"
        )
        for row in SkillStandardVersion.objects.all():
            mark = "*" if row.is_current else " "
            self.stdout.write(
                f"{mark} {row.tag} 改訂{row.revision} {row.installed_at:%Y-%m-%d} {row.installed_by}"
            )
        self.stdout.write(f"同梱 / shipped: DSS-P {', '.join(available_versions('dss_p'))}")

    def _load(self, options: dict[str, Any]) -> None:
        if options["shipped"]:
            try:
                definition = shipped_definition(options["shipped"])
            except ValueError as error:
                raise CommandError(str(error)) from error
        elif options["file"] is not None:
            definition = read_definition(options["file"])
        else:
            raise CommandError("定義ファイルか --shipped VERSION を指定してください")
        try:
            if options["dry_run"]:
                self.stdout.write("\n".join(actions.differences(definition)))
                return
            done = actions.install_skill_standard(
                definition, by=Actor.system(ACTOR), make_current=not options["keep_current"]
            )
        except TalentActionError as error:
            raise CommandError(f"{error}(何も書き込んでいません / nothing was installed)") from error
        self.stdout.write("\n".join(done.differences))
        self.stdout.write(
            f"{done.tag} を導入しました" if done.changed else f"{done.tag} は導入済みです(変更なし)"
        )

    def _carry(self, options: dict[str, Any]) -> None:
        try:
            source = skills.standard_for(options["source"])
        except KeyError as error:
            raise CommandError(str(error.args[0])) from error
        target = skills.current_standard()
        try:
            mapping = read_mapping_csv(read_table_bytes(options["mapping"], label="対応表"), source, target)
            done = actions.carry_over(mapping, by=Actor.system(ACTOR))
        except (DefinitionError, TableReadError, TalentActionError) as error:
            raise CommandError(f"{error}(何も変更していません / nothing was changed)") from error
        self.stdout.write(
            f"{source.tag} → {target.tag}: プロフィール {done.profiles} 件、ニーズ {done.needs} 件を移しました"
        )
        for skill_id, count in sorted(done.skills_dropped.items()):
            self.stdout.write(f"  対応表にない項目 {skill_id}: {count} 件から外しました")
