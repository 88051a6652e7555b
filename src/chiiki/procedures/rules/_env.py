"""Imported first: numexpr (under OpenFisca) logs a line on import unless its thread count is set; every
`chiiki` command would print it. Setting the count it would choose anyway keeps command output clean."""

import os

os.environ.setdefault("NUMEXPR_MAX_THREADS", str(os.cpu_count() or 1))
