"""An application's life: draft, save and resume, attachments, submission, 差戻し and answer, decision, withdrawal.

Each function is one transaction and writes one audit event. The resident's way back to an application is its
12-digit number and a key (hashed here, shown once); staff act as themselves. A decision on a procedure that
needs a second person takes two different staff members: checked here and by a database constraint.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from chiiki.core import audit
from chiiki.core.actions.sign_in import clear_login_failures, note_login_failure
from chiiki.procedures.actions.applications import _receipt_number
from chiiki.procedures.actions.messages import queue_messages
from chiiki.procedures.decisions import DecisionLetter, write_decision_pdf
from chiiki.procedures.filecheck import FileRefused, check_attachment
from chiiki.procedures.models import (
    Application,
    ApplicationMessage,
    Attachment,
    Procedure,
    ResidentAccount,
    ResidentMessage,
)
from chiiki.procedures.notify import application_message
from chiiki.surveys.contact import credentials

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

    from chiiki.core.acting import Actor
    from chiiki.core.models import User

SESSION_APPLICATION = "procedures.application"
MAX_ATTACHMENTS = 10


class StepRefused(ValueError):
    """The step cannot be taken in the application's present state; the message says why (both languages)."""


@dataclass(frozen=True, slots=True)
class Issued:
    """An application with a freshly issued key: the key exists only here and on the resident's screen."""

    application: Application
    access_key: str


def _event(action: str, application: Application, by: Actor, **detail: Any) -> None:
    audit.record(
        action,
        by=by,
        municipality=application.municipality_id,
        object_type="application",
        object_id=application.pk,
        detail=detail or None,
    )


def _locked(application_id: int) -> Application:
    return Application.objects.select_for_update().select_related("procedure").get(pk=application_id)


def _new_login_id() -> str:
    while True:
        login_id = credentials.new_login_id()
        if not Application.objects.filter(login_id=login_id).exists():
            return login_id


@transaction.atomic
def save_draft(
    procedure: Procedure,
    answers: dict[str, Any],
    *,
    application_id: int | None,
    by: Actor,
    account: ResidentAccount | None = None,
) -> Application:
    """Create the draft (first save) or replace an editable application's answers.

    `account`: the e-mail-verified account that starts it, kept only for procedures that allow such accounts."""
    if application_id is None:
        application = Application.objects.create(
            municipality=procedure.municipality,
            procedure=procedure,
            account=account if procedure.email_allowed else None,
            answers=answers,
            status=Application.Status.DRAFT,
            login_id=_new_login_id(),
            needs_second_approval=procedure.second_approval,
        )
        _event("procedures.application_draft_saved", application, by, created=True)
        return application
    application = _locked(application_id)
    if application.procedure_id != procedure.pk or not application.editable:
        raise StepRefused("この申請はもう変更できません (this application can no longer be changed)")
    application.answers = answers
    application.save(update_fields=["answers"])
    _event("procedures.application_draft_saved", application, by)
    return application


@transaction.atomic
def issue_key(application_id: int, *, by: Actor) -> Issued:
    """A new key for the application's number (the old key stops working); shown once to the resident."""
    application = _locked(application_id)
    key = credentials.new_access_key()
    application.access_key_hash = credentials.hash_access_key(key)
    application.save(update_fields=["access_key_hash"])
    _event("procedures.application_key_issued", application, by)
    return Issued(application, key)


def sign_in(application: Application, *, by: Actor, session: SessionBase) -> None:
    """Open the application in this session after its number and key were checked."""
    session.cycle_key()
    session[SESSION_APPLICATION] = application.pk
    clear_login_failures(by.label, by.address)
    _event("procedures.application_signed_in", application, by)


def refuse_sign_in(*, by: Actor) -> None:
    """A wrong number or key: counted toward the throttle and audited."""
    note_login_failure(by.label, by.address)
    audit.record("procedures.application_sign_in_failed", by=by, object_type="application")


def _scanner() -> Callable[[bytes, str], str | None] | None:
    path = getattr(settings, "CHIIKI_PROCEDURES_SCANNER", "")
    return import_string(path) if path else None


def add_attachment(application_id: int, data: bytes, filename: str, *, by: Actor) -> Attachment:
    """Check the file by its content and with the scan hook (when configured), then store it on the storage.

    A file the scanner refuses is audited (outside the refused write) and never stored.
    """
    kind = check_attachment(data[:16], filename)
    scan = Attachment.Scan.NOT_SCANNED
    scanner = _scanner()
    if scanner is not None:
        finding = scanner(data, filename)
        if finding:
            application = Application.objects.get(pk=application_id)
            _event("procedures.attachment_refused", application, by, name=filename[:200], finding=finding)
            raise FileRefused(
                f"ウイルス検査で問題が見つかったため受け付けられません: {finding}",
                f"the virus scan found a problem: {finding}",
            )
        scan = Attachment.Scan.CLEAN
    return _store_attachment(application_id, data, filename, kind, scan, by=by)


@transaction.atomic
def _store_attachment(
    application_id: int, data: bytes, filename: str, kind: str, scan: str, *, by: Actor
) -> Attachment:
    application = _locked(application_id)
    if not application.editable:
        raise StepRefused("この申請にはもう添付できません (no more attachments to this application)")
    if application.attachments.count() >= MAX_ATTACHMENTS:
        raise FileRefused(
            f"添付できるファイルは {MAX_ATTACHMENTS} 個までです", f"at most {MAX_ATTACHMENTS} files"
        )
    attachment = Attachment(
        application=application,
        name=filename[-200:],
        kind=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        scan=scan,
    )
    extension = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}[kind]
    attachment.file.save(
        f"{application.pk}-{attachment.sha256[:16]}.{extension}", ContentFile(data), save=False
    )
    attachment.save()
    _event("procedures.attachment_added", application, by, attachment=attachment.pk, kind=kind, scan=scan)
    return attachment


@transaction.atomic
def remove_attachment(application_id: int, attachment_id: int, *, by: Actor) -> None:
    """Remove a file from an editable application (the stored file is deleted after commit)."""
    application = _locked(application_id)
    if not application.editable:
        raise StepRefused("この申請の添付はもう変更できません (attachments can no longer be changed)")
    attachment = application.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        return
    name = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
    _event("procedures.attachment_removed", application, by, attachment=attachment_id)


@transaction.atomic
def submit(application_id: int, *, by: Actor) -> Application:
    """Submit a draft (a receipt number is given) or resubmit an application returned for correction."""
    application = _locked(application_id)
    if application.status == Application.Status.DRAFT:
        application.receipt_number = _receipt_number()
        application.submitted_at = timezone.now()
        action = "procedures.application_received"
    elif application.status == Application.Status.RETURNED:
        action = "procedures.application_resubmitted"
    else:
        raise StepRefused("この申請は提出済みです (already submitted)")
    application.status = Application.Status.RECEIVED
    application.save(update_fields=["receipt_number", "submitted_at", "status"])
    _event(action, application, by, procedure=application.procedure.code)
    return application


@transaction.atomic
def withdraw(application_id: int, *, by: Actor) -> Application:
    """The resident withdraws a draft or an application not yet decided."""
    application = _locked(application_id)
    if not (application.open or application.status == Application.Status.DRAFT):
        raise StepRefused("決定済みの申請は取り下げられません (a decided application cannot be withdrawn)")
    application.status = Application.Status.WITHDRAWN
    if application.receipt_number is None:
        application.receipt_number = _receipt_number()
    application.save(update_fields=["status", "receipt_number"])
    _event("procedures.application_withdrawn", application, by)
    return application


@transaction.atomic
def resident_reply(application_id: int, text: str, *, by: Actor) -> ApplicationMessage:
    """The resident answers a 差戻し (the application stays returned until resubmitted)."""
    application = _locked(application_id)
    if application.status != Application.Status.RETURNED:
        raise StepRefused("この申請には返信できません (no reply is expected)")
    message = ApplicationMessage.objects.create(
        application=application, author=ApplicationMessage.Author.RESIDENT, text=text.strip()[:4000]
    )
    _event("procedures.application_reply", application, by, message=message.pk)
    return message


def _staff(by: Actor) -> User:
    if by.user is None:
        raise StepRefused("職員としてサインインしてください (staff only)")
    return by.user


@transaction.atomic
def assign(application_id: int, assignee: User | None, *, by: Actor) -> Application:
    """Give the application to a staff member (or take it off anyone)."""
    _staff(by)
    application = _locked(application_id)
    application.assigned_to = assignee
    application.save(update_fields=["assigned_to"])
    _event("procedures.application_assigned", application, by, to=assignee.pk if assignee else None)
    return application


@transaction.atomic
def return_for_correction(application_id: int, message: str, *, by: Actor) -> Application:
    """差戻し: back to the resident with a message saying what to correct."""
    user = _staff(by)
    application = _locked(application_id)
    if application.status not in (Application.Status.RECEIVED, Application.Status.AWAITING_SECOND):
        raise StepRefused("この申請は差し戻せません (cannot be returned now)")
    if not message.strip():
        raise StepRefused("申請者へのメッセージを書いてください (write a message to the applicant)")
    application.status = Application.Status.RETURNED
    application.first_approver = None
    application.save(update_fields=["status", "first_approver"])
    ApplicationMessage.objects.create(
        application=application,
        author=ApplicationMessage.Author.STAFF,
        text=message.strip()[:4000],
        staff=user,
    )
    _event("procedures.application_returned", application, by)
    _tell_resident(application, ResidentMessage.Kind.RETURNED, by)
    return application


@transaction.atomic
def decide(application_id: int, *, approve: bool, reason: str, by: Actor) -> Application:
    """Approve or reject. Where the procedure needs a second person, a first approval waits for another staff
    member's; the same person cannot approve twice (also a database constraint). A letter PDF is stored."""
    user = _staff(by)
    application = _locked(application_id)
    if application.status not in (Application.Status.RECEIVED, Application.Status.AWAITING_SECOND):
        raise StepRefused("この申請は決定できる状態ではありません (not ready for a decision)")
    if approve and application.needs_second_approval and application.first_approver_id is None:
        application.status = Application.Status.AWAITING_SECOND
        application.first_approver = user
        application.save(update_fields=["status", "first_approver"])
        _event("procedures.application_first_approval", application, by)
        return application
    if approve and application.needs_second_approval and application.first_approver_id == user.pk:
        raise StepRefused(
            "この手続は二人目の承認が必要です。最初に承認した方とは別の職員が承認してください "
            "(a second, different person must approve)"
        )
    application.status = Application.Status.APPROVED if approve else Application.Status.REJECTED
    application.decided_by = user
    application.decided_at = timezone.now()
    application.decision_reason = reason.strip()[:2000]
    application.decision_letter.save(
        f"decision-{application.receipt_number}.pdf", ContentFile(_letter(application)), save=False
    )
    application.save()
    _event("procedures.application_decided", application, by, approved=approve)
    _tell_resident(application, ResidentMessage.Kind.DECIDED, by)
    return application


def _tell_resident(application: Application, kind: str, by: Actor) -> None:
    """An e-mail to the address the resident left, if any, sent by the worker after the step commits."""
    message = application_message(application, kind)
    if message is not None:
        queue_messages([message], by=by, municipality=application.procedure.municipality)


@transaction.atomic
def set_contact_email(application_id: int, email: str, *, by: Actor) -> Application:
    """The resident leaves (or clears) the address where staff's 差戻し and decision are announced."""
    application = _locked(application_id)
    application.contact_email = email.strip().lower()[:254]
    application.save(update_fields=["contact_email"])
    _event("procedures.application_contact_set", application, by, email_given=bool(application.contact_email))
    return application


def _letter(application: Application) -> bytes:
    municipality = application.municipality
    stream = io.BytesIO()
    decided = (
        timezone.localtime(application.decided_at).date() if application.decided_at else timezone.localdate()
    )
    write_decision_pdf(
        DecisionLetter(
            sender=f"{municipality.display_name}長",
            applicant=str(application.answers.get("applicant_name", "")),
            procedure=application.procedure.name,
            legal_basis=application.procedure.legal_basis,
            receipt_number=application.receipt_number or "",
            submitted=timezone.localtime(application.submitted_at).date()
            if application.submitted_at
            else decided,
            decided=decided,
            approved=application.status == Application.Status.APPROVED,
            reason=application.decision_reason,
        ),
        stream,
    )
    return stream.getvalue()
