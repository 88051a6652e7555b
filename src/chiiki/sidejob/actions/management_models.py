"""The 管理モデル of the MHLW side-job guideline (2020-09): monthly caps two employers agree in advance, so that
each checks only its own hours. 使用者A is the earlier contract (its cap is on its own 法定外労働); 使用者B the
later one (its cap is on all its hours). Each side is confirmed by whoever records that contract's hours."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.sidejob.actions._base import SideJobActionError, is_worker, records_hours
from chiiki.sidejob.hours import DEFAULT_REGIMES
from chiiki.sidejob.models import ManagementAgreement, SideJobContract
from chiiki.sidejob.queries import engine_model
from chiiki.talent.models import TalentProfile


def _model_order(
    worker: TalentProfile, contracts: tuple[SideJobContract, SideJobContract]
) -> tuple[SideJobContract, SideJobContract]:
    """Check the chosen (使用者A, 使用者B): the guideline orders employers by when the contract was made."""
    a, b = contracts
    if a.pk == b.pk:
        raise SideJobActionError("管理モデルには異なる2つの契約を選んでください。")
    if a.worker_id != worker.pk or b.worker_id != worker.pk:
        raise SideJobActionError("この人の契約ではありません。")
    if a.concluded_on == b.concluded_on:
        raise SideJobActionError(
            "2つの契約の締結日が同じため、どちらが先に契約した使用者(使用者A)か決められません。"
        )
    if a.concluded_on > b.concluded_on:
        raise SideJobActionError(
            f"使用者Aには先に締結した契約を選んでください: {a.employer_name}({a.concluded_on})は"
            f"{b.employer_name}({b.concluded_on})より後に締結されています。"
        )
    return a, b


def _check_caps(agreement: ManagementAgreement) -> None:
    """The engine checks the caps against the rules in force on the start date."""
    try:
        regime = DEFAULT_REGIMES.for_date(agreement.starts_on)
    except ValueError:
        raise SideJobActionError(f"適用開始日 {agreement.starts_on} に適用される規則がありません。") from None
    problems = engine_model(agreement).problems(regime)
    if problems:
        raise SideJobActionError("管理モデルの上限が条件を満たしていません: " + "; ".join(problems))


@transaction.atomic
def propose_management_model(
    worker: TalentProfile,
    *,
    contracts: tuple[SideJobContract, SideJobContract],
    first_cap_hours: int,
    second_cap_hours: int,
    starts_on: dt.date,
    by: Actor,
) -> ManagementAgreement:
    """Set up a 管理モデル between the worker's two employers; the engine checks the caps (the sum under 100 h
    and within 80 h, each within its employer's 36協定). Sides the proposer records hours for are confirmed."""
    a, b = _model_order(worker, contracts)
    if not (is_worker(by, worker) or records_hours(by, a) or records_hours(by, b)):
        raise SideJobActionError("この人の管理モデルを設定する権限がありません。")
    if ManagementAgreement.objects.filter(worker=worker, ended_on__isnull=True).exists():
        raise SideJobActionError("終了していない管理モデルがあります。終了してから新しく設定してください。")
    agreement = ManagementAgreement(
        worker=worker, first_contract=a, second_contract=b, first_cap_hours=first_cap_hours,
        second_cap_hours=second_cap_hours, starts_on=starts_on, created_by=by.user,
    )  # fmt: skip
    _check_caps(agreement)
    now = timezone.now()
    agreement.first_confirmed_at = now if records_hours(by, a) else None
    agreement.second_confirmed_at = now if records_hours(by, b) else None
    agreement.save()
    _audit_model("talent.management_model_proposed", agreement, by)
    return agreement


def _audit_model(action: str, agreement: ManagementAgreement, by: Actor) -> None:
    contracts = (agreement.first_contract, agreement.second_contract)
    municipality = next((c.organization.municipality_id for c in contracts if c.organization), None)
    audit.record(
        action, by=by, municipality=municipality, object_type="talent_management_model", object_id=agreement.pk,
        detail={"caps": [agreement.first_cap_hours, agreement.second_cap_hours], "worker": agreement.worker_id},
    )  # fmt: skip


@transaction.atomic
def confirm_management_model(agreement: ManagementAgreement, *, by: Actor) -> None:
    """The employer (or, for an employer not on the platform, the worker) agrees to its side's cap."""
    if agreement.ended_on is not None:
        raise SideJobActionError("この管理モデルは終了しています。")
    now, changed = timezone.now(), False
    for side in ("first", "second"):
        contract = getattr(agreement, f"{side}_contract")
        if records_hours(by, contract) and getattr(agreement, f"{side}_confirmed_at") is None:
            setattr(agreement, f"{side}_confirmed_at", now)
            changed = True
    if not changed:
        raise SideJobActionError("同意できる側がありません(既に同意済みか、権限がありません)。")
    agreement.save(update_fields=["first_confirmed_at", "second_confirmed_at"])
    _audit_model("talent.management_model_confirmed", agreement, by)


@transaction.atomic
def end_management_model(agreement: ManagementAgreement, *, by: Actor) -> None:
    """The worker or either employer ends the agreement; from then the hours are combined as usual."""
    parties = (agreement.first_contract, agreement.second_contract)
    if not (is_worker(by, agreement.worker) or any(records_hours(by, c) for c in parties)):
        raise SideJobActionError("この管理モデルを終了する権限がありません。")
    if agreement.ended_on is not None:
        raise SideJobActionError("この管理モデルは既に終了しています。")
    agreement.ended_on = timezone.localdate()
    agreement.save(update_fields=["ended_on"])
    _audit_model("talent.management_model_ended", agreement, by)
