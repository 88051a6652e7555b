"""Changes of the infosafety app; each runs in one transaction and writes its audit record."""

from chiiki.infosafety.actions.archives import ArchiveError, archive_source
from chiiki.infosafety.actions.catalog import dataset_name, refresh_factcheck_dataset
from chiiki.infosafety.actions.factcheck import (
    FactCheckError,
    Intake,
    add_source,
    assign_claim,
    correct_verdict,
    decline_claim,
    draft_verdict,
    merge_claims,
    publish_verdict,
    split_claim,
    start_watch_mode,
    submit_report,
    update_watch_patterns,
)
from chiiki.infosafety.actions.imports import (
    MAX_IMPORT,
    MAX_IMPORT_JOB,
    ImportResult,
    check_rows,
    import_posts,
    note_import_total,
    record_import,
    request_import,
)
from chiiki.infosafety.actions.line import receive_line_events
from chiiki.infosafety.actions.screening import (
    load_signal_set_version,
    record_batch_results,
    request_bulk_screening,
    screen_post,
)
from chiiki.infosafety.actions.takedowns import (
    CaptureError,
    attach_capture,
    draft_takedown,
    record_takedown_status,
)
from chiiki.infosafety.actions.throttle import note_report_attempt

__all__ = [
    "MAX_IMPORT",
    "MAX_IMPORT_JOB",
    "ArchiveError",
    "CaptureError",
    "FactCheckError",
    "ImportResult",
    "Intake",
    "add_source",
    "archive_source",
    "assign_claim",
    "attach_capture",
    "check_rows",
    "correct_verdict",
    "dataset_name",
    "decline_claim",
    "draft_takedown",
    "draft_verdict",
    "import_posts",
    "load_signal_set_version",
    "merge_claims",
    "note_import_total",
    "note_report_attempt",
    "publish_verdict",
    "receive_line_events",
    "record_batch_results",
    "record_import",
    "record_takedown_status",
    "refresh_factcheck_dataset",
    "request_bulk_screening",
    "request_import",
    "screen_post",
    "split_claim",
    "start_watch_mode",
    "submit_report",
    "update_watch_patterns",
]
