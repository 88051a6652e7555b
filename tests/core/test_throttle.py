"""The database-backed login throttle: counting inside the window, pruning outside it, clearing on success."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from chiiki.core import throttle
from chiiki.core.actions import clear_login_failures, note_login_failure
from chiiki.core.models import LoginFailure


def test_failures_lock_the_account_and_the_address_gets_four_times_the_room(db: None) -> None:
    for _ in range(5):
        note_login_failure("Hanako", "192.0.2.1")
    assert throttle.is_locked("hanako", None)  # names are compared without case
    assert not throttle.is_locked("taro", "192.0.2.1")  # 5 of the address's 20
    for n in range(15):
        note_login_failure(f"user{n}", "192.0.2.1")
    assert throttle.is_locked("taro", "192.0.2.1")


def test_a_new_failure_prunes_rows_that_left_the_window_and_old_ones_do_not_count(db: None) -> None:
    old = timezone.now() - timedelta(days=1)
    LoginFailure.objects.bulk_create(
        [LoginFailure(username="hanako", ip_address=None, at=old) for _ in range(9)]
    )
    assert not throttle.is_locked("hanako", None)
    note_login_failure("someone", None)
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["someone"]


def test_a_successful_login_clears_only_that_accounts_failures(db: None) -> None:
    note_login_failure("hanako", "192.0.2.1")
    note_login_failure("taro", "192.0.2.1")
    clear_login_failures("HANAKO")
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["taro"]
