"""The review queue on the web: a run on the town's registry, one officer decides, a different one confirms."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.linkage import actions, queries, tasks
from chiiki.linkage.engine import InputError, LinkageResult, link
from chiiki.linkage.models import FinalLink, LinkageRun, LinkCase, ReviewDecision
from chiiki.linkage.tasks import run_linkage
from chiiki.registry.models import Person

COLUMNS = ("record_id", "name_kanji", "name_kana", "birth_date", "sex", "address", "postal_code")


_RESULTS: dict[tuple[object, ...], LinkageResult] = {}


@pytest.fixture(autouse=True)
def _link_each_input_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real engine, run once per distinct (registry, records) input: the towns' data never changes."""

    def cached(registry: pl.DataFrame, records: pl.DataFrame) -> LinkageResult:
        key = (tuple(registry.rows()), tuple(records.rows()))
        if key not in _RESULTS:
            _RESULTS[key] = link(registry, records)
        return _RESULTS[key]

    monkeypatch.setattr(tasks, "link", cached)


def _as(user: User | None) -> Actor:
    return Actor.for_user(user) if user is not None else Actor.system("test")


def _records_csv(town: Municipality, *, encoding: str = "utf-8") -> bytes:
    """Three records: one copied from the registry, one without address or postal code, one stranger."""
    first, second = Person.objects.filter(municipality=town).select_related("household").order_by("id")[:2]

    def row(record_id: str, person: Person, *, with_address: bool) -> dict[str, str]:
        return {
            "record_id": record_id,
            "name_kanji": f"{person.family_name} {person.given_name}",
            "name_kana": f"{person.family_name_kana} {person.given_name_kana}",
            "birth_date": person.birth_date.isoformat(),
            "sex": person.sex,
            "address": person.household.address if with_address else "",
            "postal_code": person.household.postal_code if with_address else "",
        }

    stranger = {"record_id": "R3", "name_kanji": "鬼頭 龍之介", "name_kana": "キトウ リュウノスケ",
                "birth_date": "1901-01-01", "sex": "1", "address": "北海道夕張市本町1-1", "postal_code": "0680000"}  # fmt: skip
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows([row("R1", first, with_address=True), row("R2", second, with_address=False), stranger])
    return buffer.getvalue().encode(encoding)


def _run(town: Municipality, by: User | None) -> LinkageRun:
    upload = SimpleUploadedFile("records.csv", _records_csv(town), content_type="text/csv")
    run = actions.request_linkage_run(town, upload, by=_as(by))
    run_linkage.call(run.pk)
    run.refresh_from_db()
    return run


@pytest.fixture
def officers(town_a: Municipality, make_staff: Callable[..., User]) -> tuple[User, User]:
    return (
        make_staff("a-officer-1", town_a, Role.LINKAGE_OFFICER),
        make_staff("a-officer-2", town_a, Role.LINKAGE_OFFICER),
    )


@pytest.fixture
def done_run(town_a: Municipality, officers: tuple[User, User]) -> LinkageRun:
    return _run(town_a, officers[0])


def _review_case(run: LinkageRun) -> LinkCase:
    return run.cases.get(record_id="R2")


def test_the_task_links_the_copy_sends_the_bare_record_to_review_and_leaves_the_stranger(
    done_run: LinkageRun,
) -> None:
    assert done_run.status == LinkageRun.Status.DONE, done_run.message
    decisions = dict(done_run.cases.values_list("record_id", "decision"))
    assert decisions == {"R1": "linked", "R2": "review", "R3": "unmatched"}
    assert (done_run.linked_count, done_run.review_count, done_run.unmatched_count) == (1, 1, 1)
    automatic = FinalLink.objects.get(run=done_run)
    assert automatic.record_id == "R1"
    assert automatic.source == FinalLink.Source.AUTOMATIC
    assert automatic.person is not None
    assert automatic.person.person_code == automatic.person_code


def test_review_candidates_keep_the_evidence_waterfall(done_run: LinkageRun) -> None:
    case = _review_case(done_run)
    best = case.candidates.order_by("rank").first()
    assert best is not None
    assert best.person_code == case.best_person_code
    fields = [item["field"] for item in best.evidence]
    assert fields == ["name_kanji", "name_kana", "birth_date", "sex", "address", "postal_code"]
    assert {item["field"]: item["level"] for item in best.evidence}["address"] == "missing"
    assert best.person_values["address"]


def test_the_registry_is_exported_in_the_engine_layout(town_a: Municipality) -> None:
    frame = queries.registry_frame(town_a)
    assert frame.columns == ["person_id", *COLUMNS[1:]]
    assert frame.height == Person.objects.filter(municipality=town_a, removed_on__isnull=True).count()
    assert frame["name_kanji"].str.contains("\u3000").all()


def test_a_run_without_a_registry_fails_with_a_plain_message(
    town_a: Municipality, make_staff: Callable[..., User]
) -> None:
    empty = Municipality.objects.create(
        code="011002", prefecture_code="01", prefecture="北海道", name="札幌市", name_kana="サッポロシ",
        kind="designated_city",
    )  # fmt: skip
    upload = SimpleUploadedFile("records.csv", _records_csv(town_a))
    run = actions.request_linkage_run(empty, upload, by=_as(None))
    run_linkage.call(run.pk)
    run.refresh_from_db()
    assert run.status == LinkageRun.Status.FAILED
    assert "住民基本台帳" in run.message


def test_a_records_file_without_its_columns_is_refused_when_uploaded(town_a: Municipality) -> None:
    with pytest.raises(InputError) as refused:
        actions.request_linkage_run(town_a, SimpleUploadedFile("bad.csv", b"id,name\n1,x\n"), by=_as(None))
    assert "record_id" in str(refused.value)
    assert "bad.csv" in str(refused.value)
    assert not LinkageRun.objects.exists()


def test_a_stored_records_file_that_cannot_be_read_fails_the_job_with_a_plain_message(
    town_a: Municipality,
) -> None:
    # A file that changed after the upload check (or a run queued by older code) still ends with the reason.
    run = LinkageRun.objects.create(
        municipality=town_a,
        records_file=SimpleUploadedFile("bad.csv", b"id,name\n1,x\n"),
        original_name="bad.csv",
    )
    run_linkage.call(run.pk)
    run.refresh_from_db()
    assert run.status == LinkageRun.Status.FAILED
    assert "record_id" in run.message
    assert "bad.csv" in run.message
    assert run.attempts == 1  # bad input is not retried


def test_the_officer_who_decided_cannot_confirm(done_run: LinkageRun, officers: tuple[User, User]) -> None:
    first, _second = officers
    case = _review_case(done_run)
    review = actions.review_case(case, by=_as(first), candidate=case.candidates.get(rank=1))
    with pytest.raises(actions.FourEyesError):
        actions.confirm_review(review, by=_as(first), approve=True)
    review.refresh_from_db()
    assert review.outcome == ReviewDecision.Outcome.PENDING
    assert not FinalLink.objects.filter(case=case).exists()


def test_the_database_refuses_a_confirmation_by_the_deciding_officer(
    done_run: LinkageRun, officers: tuple[User, User]
) -> None:
    first, _second = officers
    case = _review_case(done_run)
    review = actions.review_case(case, by=_as(first), candidate=None, reject_all=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewDecision.objects.filter(pk=review.pk).update(
            outcome=ReviewDecision.Outcome.CONFIRMED, confirmed_by=first
        )


def test_a_second_officer_makes_the_accepted_candidate_a_final_link(
    done_run: LinkageRun, officers: tuple[User, User]
) -> None:
    first, second = officers
    case = _review_case(done_run)
    candidate = case.candidates.get(rank=1)
    review = actions.review_case(
        case, by=_as(first), candidate=candidate, note="住所なし、氏名・生年月日一致"
    )
    case.refresh_from_db()
    assert case.state == LinkCase.State.AWAITING_CONFIRMATION
    assert not FinalLink.objects.filter(case=case).exists()
    actions.confirm_review(review, by=_as(second), approve=True)
    case.refresh_from_db()
    final = FinalLink.objects.get(case=case)
    assert case.state == LinkCase.State.CLOSED
    assert (final.person_code, final.source, final.review_id) == (
        candidate.person_code,
        FinalLink.Source.REVIEWED,
        review.pk,
    )
    actions_logged = set(
        AuditEvent.objects.filter(object_type="linkage_case", object_id=str(case.pk)).values_list(
            "action", "actor_id"
        )
    )
    assert {("linkage.case_reviewed", first.pk), ("linkage.review_confirmed", second.pk)} <= actions_logged


def test_a_returned_decision_puts_the_case_back_in_the_queue(
    done_run: LinkageRun, officers: tuple[User, User]
) -> None:
    first, second = officers
    case = _review_case(done_run)
    review = actions.review_case(case, by=_as(first), candidate=None, reject_all=True)
    assert list(queries.review_queue(done_run)) == []
    actions.confirm_review(review, by=_as(second), approve=False, note="候補1で合っているはず")
    assert list(queries.review_queue(done_run)) == [case]
    assert AuditEvent.objects.filter(action="linkage.review_returned", actor=second).exists()
    with pytest.raises(actions.ReviewError):
        actions.confirm_review(review, by=_as(second), approve=True)


def test_a_case_cannot_be_decided_twice(done_run: LinkageRun, officers: tuple[User, User]) -> None:
    first, second = officers
    case = _review_case(done_run)
    actions.review_case(case, by=_as(first), candidate=None, reject_all=True)
    with pytest.raises(actions.ReviewError):
        actions.review_case(case, by=_as(second), candidate=case.candidates.get(rank=1))


def test_a_candidate_of_another_case_is_refused(done_run: LinkageRun, officers: tuple[User, User]) -> None:
    case = _review_case(done_run)
    other = _run(done_run.municipality, None)
    foreign = _review_case(other).candidates.get(rank=1)
    with pytest.raises(actions.ReviewError):
        actions.review_case(case, by=_as(officers[0]), candidate=foreign)


def test_the_four_eyes_pages_end_to_end(
    done_run: LinkageRun, officers: tuple[User, User], login: Callable[[User], Client]
) -> None:
    first, second = officers
    code = done_run.municipality.code
    case = _review_case(done_run)
    base = f"/staff/m/{code}/linkage/runs/{done_run.pk}/"
    one, two = login(first), login(second)

    queue = one.get(base)
    assert queue.status_code == 200
    assert "R2" in queue.content.decode()
    page = one.get(f"{base}cases/{case.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "✔" in html
    assert "一致" in html
    assert "空欄" in html
    assert "根拠の積み上げ" in html
    assert re.search(r"<caption[ >]", html)
    assert "個人番号" not in html
    assert "住民番号" in html
    candidate = case.candidates.get(rank=1)
    response = one.post(f"{base}cases/{case.pk}/", {"choice": str(candidate.pk), "note": ""})
    assert response.status_code == 302

    confirm_url = f"{base}cases/{case.pk}/confirm/"
    # The second officer opening the case page finds the way to approve it; the first officer does not.
    waiting = two.get(f"{base}cases/{case.pk}/").content.decode()
    assert f'href="{confirm_url}"' in waiting
    assert first.get_username() in waiting
    decided = one.get(f"{base}cases/{case.pk}/").content.decode()
    assert f'href="{confirm_url}"' not in decided
    assert "判断した本人は承認できません" in decided

    own = one.get(confirm_url)
    assert "判断した本人は承認できません" in own.content.decode()
    refused = one.post(f"{base}cases/{case.pk}/confirm/", {"action": "confirm"})
    assert refused.status_code == 200
    assert not FinalLink.objects.filter(case=case).exists()

    confirmed = two.post(f"{base}cases/{case.pk}/confirm/", {"action": "confirm", "note": "確認済み"})
    assert confirmed.status_code == 302
    assert FinalLink.objects.get(case=case).person_code == candidate.person_code

    export = two.get(f"{base}links.csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["record_id", "person_id", "source"]
    assert {row[0] for row in rows[1:]} == {"R1", "R2"}
    logged = set(
        AuditEvent.objects.filter(municipality=done_run.municipality).values_list("action", flat=True)
    )
    assert {"linkage.queue_viewed", "linkage.case_viewed", "linkage.links_exported"} <= logged


def test_a_case_whose_address_and_postal_code_were_blank_says_so(
    done_run: LinkageRun, officers: tuple[User, User], login: Callable[[User], Client]
) -> None:
    # R2 was sent without address or postal code; had its probability been high, this is the reason given.
    case = _review_case(done_run)
    LinkCase.objects.filter(pk=case.pk).update(reason="address_and_postal_code_blank")
    url = f"/staff/m/{done_run.municipality.code}/linkage/runs/{done_run.pk}/cases/{case.pk}/"
    html = login(officers[0]).get(url).content.decode()
    assert "住所と郵便番号が空欄のため比べられません" in html
    assert "一致しません" not in html


def _queued_tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.all())


def test_uploading_a_records_file_queues_a_run(
    town_a: Municipality, officers: tuple[User, User], login: Callable[[User], Client]
) -> None:
    client = login(officers[0])
    upload = SimpleUploadedFile("records.csv", _records_csv(town_a), content_type="text/csv")
    response = client.post(f"/staff/m/{town_a.code}/linkage/", {"file": upload})
    assert response.status_code == 302
    run = LinkageRun.objects.get(municipality=town_a)
    assert run.status == LinkageRun.Status.QUEUED
    assert run.created_by == officers[0]
    # The request queued exactly one task for the worker, in the same transaction as the run.
    [queued] = _queued_tasks()
    assert queued.task_path.endswith("run_linkage")
    assert queued.args_kwargs["args"] == [run.pk]
    assert AuditEvent.objects.filter(action="linkage.run_created", object_id=str(run.pk)).exists()
    assert client.get(f"/staff/m/{town_a.code}/linkage/").status_code == 200


def test_a_shift_jis_records_file_is_accepted_at_upload_and_linked(
    town_a: Municipality, officers: tuple[User, User], login: Callable[[User], Client]
) -> None:
    client = login(officers[0])
    data = _records_csv(town_a, encoding="cp932")
    response = client.post(f"/staff/m/{town_a.code}/linkage/", {"file": SimpleUploadedFile("sjis.csv", data)})
    assert response.status_code == 302
    run = LinkageRun.objects.get(municipality=town_a)
    [queued] = _queued_tasks()
    run_linkage.call(*queued.args_kwargs["args"])
    run.refresh_from_db()
    assert run.status == LinkageRun.Status.DONE, run.message
    assert dict(run.cases.values_list("record_id", "decision")) == {
        "R1": "linked",
        "R2": "review",
        "R3": "unmatched",
    }


def test_sex_written_as_words_or_letters_is_read_as_the_registry_code(
    town_a: Municipality, officers: tuple[User, User]
) -> None:
    spelled = _records_csv(town_a).decode().replace(",1,", ",男性,", 1).replace(",2,", ",F,", 1)
    assert "男性" in spelled
    run = actions.request_linkage_run(
        town_a, SimpleUploadedFile("words.csv", spelled.encode("cp932")), by=_as(officers[0])
    )
    run_linkage.call(run.pk)
    run.refresh_from_db()
    assert run.status == LinkageRun.Status.DONE, run.message
    assert {case.record["sex"] for case in run.cases.all()} <= {"1", "2"}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ((",1,", ",3,"), ["行目「sex」列", "「3」", "M/F"]),
        ((",1,", ",不明,"), ["行目「sex」列", "「不明」"]),
        (("record_id,", "id,"), ["record_id"]),
    ],
)
def test_a_records_file_with_a_bad_value_or_column_is_refused_at_once_naming_it(
    town_a: Municipality,
    officers: tuple[User, User],
    login: Callable[[User], Client],
    change: tuple[str, str],
    named: list[str],
) -> None:
    client = login(officers[0])
    text = _records_csv(town_a).decode().replace(*change, 1)
    upload = SimpleUploadedFile("bad.csv", text.encode("utf-8"))
    response = client.post(f"/staff/m/{town_a.code}/linkage/", {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "入力内容を確認してください" in html
    for words in named:
        assert words in html
    assert not LinkageRun.objects.exists()
    assert _queued_tasks() == []


def test_town_a_officer_cannot_see_town_b_runs(
    town_a: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    run_b = _run(town_b, None)
    case_b = _review_case(run_b)
    client = login(make_staff("a-officer", town_a, Role.LINKAGE_OFFICER))
    for url in (
        f"/staff/m/{town_b.code}/linkage/",
        f"/staff/m/{town_b.code}/linkage/runs/{run_b.pk}/",
        f"/staff/m/{town_b.code}/linkage/runs/{run_b.pk}/cases/{case_b.pk}/",
        f"/staff/m/{town_b.code}/linkage/runs/{run_b.pk}/links.csv",
    ):
        assert client.get(url).status_code == 403, url
    # Town B's run through town A's address is not found either.
    assert client.get(f"/staff/m/{town_a.code}/linkage/runs/{run_b.pk}/").status_code == 404
    assert client.get(f"/staff/m/{town_a.code}/linkage/runs/{run_b.pk}/cases/{case_b.pk}/").status_code == 404


def test_other_roles_cannot_open_the_review_queue(
    done_run: LinkageRun, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    admin = make_staff("a-admin", done_run.municipality, Role.ADMINISTRATOR)
    assert (
        login(admin).get(f"/staff/m/{done_run.municipality.code}/linkage/runs/{done_run.pk}/").status_code
        == 403
    )
