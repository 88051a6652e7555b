"""Changes made by the evidence app, each in one transaction with its audit record: evidence runs (`runs`),
cost settings (`costs`) and tables published as open data (`publication`)."""

from chiiki.evidence.actions._common import EvidenceError
from chiiki.evidence.actions.costs import set_costs
from chiiki.evidence.actions.publication import publish_table
from chiiki.evidence.actions.runs import request_run, store_run_result

__all__ = ["EvidenceError", "publish_table", "request_run", "set_costs", "store_run_result"]
