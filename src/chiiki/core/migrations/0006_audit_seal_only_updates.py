"""The audit log stays append-only, with one exception: a record not yet chained may be given its place in the
chain (chain_seq, chain_hash) once, and nothing else about it may change. Also gives every existing account
the municipality of its first role as its home (the municipality whose administrators manage it)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from chiiki.core.migrations._audit_triggers import POSTGRES, SQLITE


def triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        schema_editor.execute(statement)


def home_municipalities(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    User = apps.get_model("core", "User")
    Membership = apps.get_model("core", "Membership")
    for membership in Membership.objects.order_by("-granted_at", "-id"):
        User.objects.filter(pk=membership.user_id).update(home_municipality_id=membership.municipality_id)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_audit_chain_platform_auditor_home")]
    operations = [
        migrations.RunPython(triggers, migrations.RunPython.noop),
        migrations.RunPython(home_municipalities, migrations.RunPython.noop),
    ]
