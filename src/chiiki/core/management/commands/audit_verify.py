import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.audit_chain import heads, verify
from chiiki.core.models import AuditEvent


class Command(BaseCommand):
    help = (
        "監査ログのハッシュ連鎖を検証し、最初に壊れている箇所を示します "
        "(verify the audit log's hash chains; report the first broken link of each)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--against",
            type=Path,
            help="a backup manifest (or a JSON of chain heads) saved earlier: the chains must still pass through it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchors = None
        if options["against"] is not None:
            try:
                saved = json.loads(options["against"].read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise CommandError(f"{options['against']}: cannot be read as JSON ({error})") from error
            anchors = saved.get("audit_chain_heads", saved)
        breaks, checked = verify(against=anchors)
        unchained = AuditEvent.objects.filter(chain_hash__isnull=True).count()
        for chain, count in checked.items():
            self.stdout.write(f"chain {chain or 'platform'}: {count} links checked")
        if unchained:
            self.stdout.write(f"{unchained} records not chained yet (the worker chains them within a minute)")
        if breaks:
            for found in breaks:
                self.stderr.write(f"改ざんの疑い / BROKEN: {found.describe()}")
            raise CommandError(f"{len(breaks)} chain(s) broken")
        self.stdout.write(f"OK: every chain is intact. Heads: {json.dumps(heads(), sort_keys=True)}")
