"""The database-backed login throttle: counting per account and address, pruning outside the window, clearing
on success only what the owner typed (the back-off itself: tests/security/test_login_backoff.py)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from chiiki.core import throttle
from chiiki.core.actions import clear_login_failures, note_login_failure
from chiiki.core.models import LoginFailure


def test_failures_count_per_account_and_address_and_names_are_compared_without_case(db: None) -> None:
    for _ in range(5):
        note_login_failure("Hanako", "192.0.2.1")
    assert throttle.is_locked("hanako", "192.0.2.1")
    assert not throttle.is_locked("hanako", "192.0.2.2")  # the same account elsewhere: 5 of its 20
    for n in range(15):
        note_login_failure(f"user{n}", "192.0.2.1")
    assert not throttle.is_locked("taro", "192.0.2.1")  # 20 other names from the address: taro untouched


def test_a_new_failure_prunes_rows_that_left_the_window_and_old_ones_do_not_count(db: None) -> None:
    old = timezone.now() - timedelta(days=1)
    LoginFailure.objects.bulk_create(
        [LoginFailure(username="hanako", ip_address=None, at=old) for _ in range(9)]
    )
    assert not throttle.is_locked("hanako", None)
    note_login_failure("someone", None)
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["someone"]


def test_a_successful_login_clears_what_the_owner_typed_not_what_others_typed(db: None) -> None:
    note_login_failure("hanako", "192.0.2.1")
    note_login_failure("hanako", "192.0.2.9")  # someone else guessing
    note_login_failure("hanako", "192.0.2.8", device="phone")
    note_login_failure("taro", "192.0.2.1")
    clear_login_failures("HANAKO", "192.0.2.1", device="phone")
    assert sorted(LoginFailure.objects.values_list("username", "ip_address")) == [
        ("hanako", "192.0.2.9"),
        ("taro", "192.0.2.1"),
    ]
