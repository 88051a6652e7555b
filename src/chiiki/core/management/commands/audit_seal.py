from typing import Any

from django.core.management.base import BaseCommand

from chiiki.core.actions import seal_audit_records


class Command(BaseCommand):
    help = "監査ログの未連結の記録をハッシュ連鎖につなぎます (chain the audit records not yet chained)."

    def handle(self, *args: Any, **options: Any) -> None:
        sealed = seal_audit_records()
        self.stdout.write(f"{sealed} 件をつなぎました (chained {sealed} audit records)")
