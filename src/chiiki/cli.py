"""The `chiiki` command: a thin front over Django's management commands.

`chiiki <domain> <verb> ARGS` runs the management command `<domain>_<verb>` (hyphens become
underscores), so `chiiki survey check-form form.xlsx` runs `survey_check_form`. A single word runs the
command of that name, so `chiiki migrate` and `chiiki serve` work as well.
"""

from __future__ import annotations

import os
import sys


def resolve_command(argv: list[str], known: set[str]) -> list[str]:
    """Map `domain verb args` onto the management command `domain_verb` when it exists."""
    if len(argv) >= 2 and not argv[0].startswith("-") and not argv[1].startswith("-"):
        combined = f"{argv[0]}_{argv[1]}".replace("-", "_")
        if combined in known:
            return [combined, *argv[2:]]
    if argv and not argv[0].startswith("-"):
        single = argv[0].replace("-", "_")
        if single in known:
            return [single, *argv[1:]]
    return argv


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `chiiki` console script."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiiki.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line, get_commands
    from django.db import DatabaseError

    try:
        django.setup()
    except ImproperlyConfigured as error:
        # A malformed CHIIKI_* variable: name it (docs/operations.md lists them all), not a traceback.
        sys.stderr.write(f"設定が正しくありません / configuration error: {error}\n")
        sys.exit(1)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        execute_from_command_line(["chiiki", *resolve_command(args, set(get_commands()))])
    except DatabaseError as error:
        # Say what to do (migrate, check the URL, wait for a busy SQLite file), not a traceback.
        from chiiki.core.database import explain

        sys.stderr.write(explain(error) + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
