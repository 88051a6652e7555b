"""Every change to core data: municipalities and staff (`staff`), sign-in bookkeeping (`sign_in`) and the state
of background jobs (`jobs`). Each action runs in one transaction and writes its audit record."""

from chiiki.core.actions.audit_chain import seal_audit_records
from chiiki.core.actions.sign_in import clear_login_failures, note_login_failure
from chiiki.core.actions.staff import (
    RoleChangeRefused,
    StaffAccountError,
    create_staff,
    grant_role,
    load_municipalities,
    revoke_role,
    role_conflict,
    set_platform_auditor,
)

__all__ = [
    "RoleChangeRefused",
    "StaffAccountError",
    "clear_login_failures",
    "create_staff",
    "grant_role",
    "load_municipalities",
    "note_login_failure",
    "revoke_role",
    "role_conflict",
    "seal_audit_records",
    "set_platform_auditor",
]
