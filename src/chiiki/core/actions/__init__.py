"""Every change to core data: municipalities and staff (`staff`), sign-in bookkeeping (`sign_in`) and the state
of background jobs (`jobs`). Each action runs in one transaction and writes its audit record."""

from chiiki.core.actions.sign_in import clear_login_failures, note_login_failure
from chiiki.core.actions.staff import (
    StaffAccountError,
    create_staff,
    grant_role,
    load_municipalities,
    revoke_role,
)

__all__ = [
    "StaffAccountError",
    "clear_login_failures",
    "create_staff",
    "grant_role",
    "load_municipalities",
    "note_login_failure",
    "revoke_role",
]
