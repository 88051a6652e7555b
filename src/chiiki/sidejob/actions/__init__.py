"""Changes to side-job data, one module per sub-domain: contracts and hours, and the 管理モデル. Each runs in one
transaction, takes `by: Actor` and writes its audit record (under the `talent.*` action names the audit log
has always used for them, so the log reads the same before and after the app was split out)."""

from chiiki.sidejob.actions._base import SideJobActionError
from chiiki.sidejob.actions.contracts import create_contract, record_hours
from chiiki.sidejob.actions.management_models import (
    confirm_management_model,
    end_management_model,
    propose_management_model,
)

__all__ = [
    "SideJobActionError",
    "confirm_management_model",
    "create_contract",
    "end_management_model",
    "propose_management_model",
    "record_hours",
]
