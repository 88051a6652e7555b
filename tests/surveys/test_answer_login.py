"""Respondent sign-in: access key then password, one message for every failure, lockout, sessions, text size."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chiiki.core.models import AuditEvent, LoginFailure, Municipality
from chiiki.core.sessions import COOKIE_NAME
from chiiki.surveys.answering import respondents
from chiiki.surveys.contact.credentials import new_login_id
from chiiki.surveys.models import CaseEvent, Survey, SurveyCase

from .answering_setup import Letter, fast_password_hashing, open_survey, sign_in  # noqa: F401 - fixture

WRONG = "調査対象者ID、アクセスキー、パスワードのいずれかが違います"
LOCKED = "しばらくの間ログインできません"


@pytest.fixture
def letters(town_a: Municipality) -> list[Letter]:
    return open_survey(town_a)[1]


def unused_login_id() -> str:
    while True:
        login_id = new_login_id()
        if not SurveyCase.objects.filter(login_id=login_id).exists():
            return login_id


def attempt(client: Client, login_id: str, secret: str) -> str:
    return client.post("/answer/", {"login_id": login_id, "secret": secret}).content.decode()


@pytest.mark.usefixtures("fast_password_hashing")
def test_a_wrong_key_and_an_unknown_id_get_the_same_answer(letters: list[Letter]) -> None:
    wrong_key = attempt(Client(), letters[0].login_id, "AAAA-AAAA")
    unknown_id = attempt(Client(), unused_login_id(), letters[0].access_key)
    assert WRONG in wrong_key
    assert WRONG in unknown_id
    assert page_without_tokens(wrong_key) == page_without_tokens(unknown_id)


def page_without_tokens(html: str) -> str:
    """The page with its CSRF tokens and the typed ID blanked: what differs from one request to another."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'name="login_id" value="\d+"', "", html)


@pytest.mark.usefixtures("fast_password_hashing")
def test_a_mistyped_id_is_caught_by_its_check_digit_without_counting_a_failure(letters: list[Letter]) -> None:
    login_id = letters[0].login_id
    typo = login_id[:-1] + str((int(login_id[-1]) + 1) % 10)
    html = attempt(Client(), typo, letters[0].access_key)
    assert "打ち間違いがないか" in html
    assert LoginFailure.objects.count() == 0


@pytest.mark.usefixtures("fast_password_hashing")
def test_the_key_may_be_typed_in_full_width_lower_case_and_with_spaces(letters: list[Letter]) -> None:
    letter = letters[0]
    typed_id = " ".join([letter.login_id[:4], letter.login_id[4:8], letter.login_id[8:]])
    typed_id = typed_id.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = Client().post("/answer/", {"login_id": typed_id, "secret": letter.access_key.lower()})
    assert response.status_code == 302
    assert response["Location"] == "/answer/password/"


@pytest.mark.usefixtures("fast_password_hashing")
def test_five_failures_lock_the_id_even_against_the_right_key(letters: list[Letter]) -> None:
    letter = letters[0]
    for _ in range(5):
        assert WRONG in attempt(Client(), letter.login_id, "AAAA-AAAA")
    html = attempt(Client(), letter.login_id, letter.access_key)
    assert LOCKED in html
    assert AuditEvent.objects.filter(action="surveys.respondent_login_locked").count() == 1
    # Another household is not affected by this lockout.
    assert (
        Client()
        .post("/answer/", {"login_id": letters[1].login_id, "secret": letters[1].access_key})
        .status_code
        == 302
    )


@pytest.mark.usefixtures("fast_password_hashing")
def test_an_unknown_id_locks_exactly_like_a_real_one(letters: list[Letter]) -> None:
    unknown = unused_login_id()
    for _ in range(5):
        assert WRONG in attempt(Client(), unknown, "AAAA-AAAA")
    assert LOCKED in attempt(Client(), unknown, "AAAA-AAAA")


def test_after_the_password_is_set_only_the_password_opens_the_case(letters: list[Letter]) -> None:
    letter = letters[0]
    first = Client()
    assert (
        sign_in(first, letter.login_id, letter.access_key, password="kawa-2025-mori")["Location"]
        == "/answer/start/"
    )
    case = SurveyCase.objects.get(login_id=letter.login_id)
    assert case.password_hash.startswith("argon2")
    assert WRONG in attempt(Client(), letter.login_id, letter.access_key)
    again = Client().post("/answer/", {"login_id": letter.login_id, "secret": "kawa-2025-mori"})
    assert again["Location"] == "/answer/start/"
    secrets_in_audit = str(list(AuditEvent.objects.values_list("actor_label", "detail")))
    assert "kawa-2025-mori" not in secrets_in_audit
    assert letter.access_key.replace("-", "") not in secrets_in_audit


@pytest.mark.usefixtures("fast_password_hashing")
@pytest.mark.parametrize(
    ("password", "confirmation", "message"),
    [
        ("short1", "short1", "8文字以上"),
        ("1234567890", "1234567890", "数字だけ"),
        ("midori-2025", "midori-2026", "一致しません"),
    ],
)
def test_a_weak_or_mistyped_password_is_refused_in_plain_words(
    letters: list[Letter], password: str, confirmation: str, message: str
) -> None:
    client = Client()
    client.post("/answer/", {"login_id": letters[0].login_id, "secret": letters[0].access_key})
    response = client.post("/answer/password/", {"password": password, "confirmation": confirmation})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert SurveyCase.objects.get(login_id=letters[0].login_id).password_hash == ""


@pytest.mark.usefixtures("fast_password_hashing")
def test_the_access_key_itself_cannot_become_the_password(letters: list[Letter]) -> None:
    client = Client()
    client.post("/answer/", {"login_id": letters[0].login_id, "secret": letters[0].access_key})
    key = letters[0].access_key.replace("-", "")
    response = client.post("/answer/password/", {"password": key, "confirmation": key})
    assert "違うパスワードにしてください" in response.content.decode()


@pytest.mark.usefixtures("fast_password_hashing")
def test_setting_a_password_ends_the_other_sessions_of_the_case(letters: list[Letter]) -> None:
    letter = letters[0]
    other_device = Client()
    other_device.post("/answer/", {"login_id": letter.login_id, "secret": letter.access_key})
    sign_in(Client(), letter.login_id, letter.access_key)
    assert other_device.get("/answer/start/")["Location"] == "/answer/"


@pytest.mark.usefixtures("fast_password_hashing")
def test_answering_waits_for_a_password(letters: list[Letter]) -> None:
    client = Client()
    client.post("/answer/", {"login_id": letters[0].login_id, "secret": letters[0].access_key})
    assert client.get("/answer/q/household/")["Location"] == "/answer/password/"


@pytest.mark.usefixtures("fast_password_hashing")
def test_logging_out_ends_the_session(letters: list[Letter]) -> None:
    client = Client()
    sign_in(client, letters[0].login_id, letters[0].access_key)
    assert client.get("/answer/start/").status_code == 200
    assert client.post("/answer/logout/")["Location"] == "/answer/"
    assert client.get("/answer/start/")["Location"] == "/answer/"


def test_the_larger_text_toggle_sets_the_cookie_the_base_template_reads(db: None) -> None:
    client = Client()
    response = client.post("/answer/text-size/", {"size": "large", "next": "/answer/"})
    assert response["Location"] == "/answer/"
    assert client.cookies["chiiki_text"].value == "large"
    html = client.get("/answer/").content.decode()
    assert 'class="large-text"' in html
    assert 'aria-pressed="true"' in html
    client.post("/answer/text-size/", {"size": "normal", "next": "/answer/"})
    assert 'class="large-text"' not in client.get("/answer/").content.decode()


def test_the_text_toggle_never_redirects_off_site(db: None) -> None:
    response = Client().post("/answer/text-size/", {"size": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/answer/"


def test_the_survey_fixture_has_cases(letters: list[Letter]) -> None:
    assert Survey.objects.get().cases.exclude(access_key_hash="").count() == 3


@pytest.mark.usefixtures("fast_password_hashing")
def test_the_letters_qr_code_fills_in_the_login_id_but_never_the_key(letters: list[Letter]) -> None:
    html = Client().get(f"/answer/?id={letters[0].login_id}").content.decode()
    assert f'value="{letters[0].login_id}"' in html
    assert 'name="login_id" value=' not in Client().get("/answer/?id=AAAA-BBBB").content.decode()


class HashCalls:
    """Counts the key (PBKDF2) and password (Argon2) verifications made through the respondents module."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.keys = 0
        self.passwords = 0
        real_key, real_password = respondents.verify_access_key, respondents.check_password

        def key(case: SurveyCase, typed: str) -> bool:
            self.keys += 1
            return real_key(case, typed)

        def password(typed: str, encoded: str) -> bool:
            self.passwords += 1
            return real_password(typed, encoded)

        monkeypatch.setattr(respondents, "verify_access_key", key)
        monkeypatch.setattr(respondents, "check_password", password)

    def take(self) -> tuple[int, int]:
        counts = (self.keys, self.passwords)
        self.keys = self.passwords = 0
        return counts


@pytest.mark.usefixtures("fast_password_hashing")
def test_an_unknown_id_and_a_real_one_cost_the_same_verifications(
    letters: list[Letter], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = HashCalls(monkeypatch)
    for secret in ("AAAA-AAAA", "midori-2025"):  # shaped like a key, and not
        attempt(Client(), letters[0].login_id, secret)
        real = calls.take()
        attempt(Client(), unused_login_id(), secret)
        assert calls.take() == real
    sign_in(Client(), letters[1].login_id, letters[1].access_key, password="kawa-2025-mori")
    calls.take()
    attempt(Client(), letters[1].login_id, "AAAA-AAAA")  # an ID with a password set
    assert calls.take() == (1, 0)  # the shape of the text decides which one check runs, never the ID
    attempt(Client(), letters[1].login_id, "kawa-2025-mor")
    assert calls.take() == (0, 1)
    attempt(Client(), letters[2].login_id, "kawa-2025-mor")  # no password yet: a dummy, the same work
    assert calls.take() == (0, 1)


@pytest.mark.usefixtures("fast_password_hashing")
def test_text_that_cannot_be_a_key_is_never_hashed_as_one(
    letters: list[Letter], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = HashCalls(monkeypatch)
    client = Client()
    assert (
        client.post(
            "/answer/", {"login_id": letters[0].login_id, "secret": letters[0].access_key}
        ).status_code
        == 302
    )
    assert calls.take() == (1, 0)  # the key only: no Argon2 run against a dummy (issue 18 §3)
    # Choosing a password checks it is not the key only when it could be one.
    response = client.post(
        "/answer/password/", {"password": "kawa-2025-mori", "confirmation": "kawa-2025-mori"}
    )
    assert response["Location"] == "/answer/start/"
    assert calls.take() == (0, 0)
    assert WRONG in attempt(Client(), letters[0].login_id, "kawa-2025-mor")
    assert calls.take() == (0, 1)


@pytest.mark.usefixtures("fast_password_hashing")
def test_a_password_shaped_like_a_key_is_refused_in_plain_words(letters: list[Letter]) -> None:
    """Sign-in tells a key from a password by its shape alone, so a password may not look like a key."""
    client = Client()
    client.post("/answer/", {"login_id": letters[0].login_id, "secret": letters[0].access_key})
    other = "TWXY-TWXY" if letters[0].access_key.replace("-", "") != "TWXYTWXY" else "ACEF-ACEF"
    response = client.post("/answer/password/", {"password": other, "confirmation": other})
    assert response.status_code == 200
    assert "アクセスキーと同じ形(英数字8文字)のパスワードは使えません" in response.content.decode()
    longer = other + "9"
    response = client.post("/answer/password/", {"password": longer, "confirmation": longer})
    assert response["Location"] == "/answer/start/"
    assert Client().post("/answer/", {"login_id": letters[0].login_id, "secret": longer})["Location"] == (
        "/answer/start/"
    )


@pytest.mark.usefixtures("fast_password_hashing")
def test_a_case_the_demo_simulated_costs_the_same_key_hashing_as_a_real_one(
    letters: list[Letter], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 10 of issue 13: a stored value that is no key hash used to skip PBKDF2 and answer sooner."""
    import django.contrib.auth.hashers as hashers

    rounds: list[int] = []
    real_pbkdf2 = hashers.pbkdf2

    def counted(password: str, salt: str, iterations: int, *args: object, **kwargs: object) -> bytes:
        rounds.append(iterations)
        return real_pbkdf2(password, salt, iterations, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(hashers, "pbkdf2", counted)
    SurveyCase.objects.filter(login_id=letters[1].login_id).update(access_key_hash="!simulated")
    attempt(Client(), letters[0].login_id, "AAAA-AAAA")  # a real case, a wrong key
    real = list(rounds)
    rounds.clear()
    assert WRONG in attempt(Client(), letters[1].login_id, "AAAA-AAAA")  # a simulated case
    assert real
    assert len(rounds) == len(real)


@pytest.mark.usefixtures("fast_password_hashing")
def test_the_respondents_session_is_a_cookie_of_its_own_path_and_no_row(letters: list[Letter]) -> None:
    client = Client()
    sign_in(client, letters[0].login_id, letters[0].access_key)
    cookie = client.cookies[COOKIE_NAME]
    assert cookie["path"] == "/answer/"
    assert cookie["httponly"]
    assert "sessionid" not in client.cookies  # the staff's database session is not used
    assert not Session.objects.exists()
    assert client.get("/answer/q/household/").status_code == 200


@pytest.mark.usefixtures("fast_password_hashing")
def test_logging_out_also_ends_a_copy_of_the_cookie_and_every_other_device(letters: list[Letter]) -> None:
    letter = letters[0]
    client, other_device = Client(), Client()
    sign_in(client, letter.login_id, letter.access_key)
    sign_in(other_device, letter.login_id, "midori-2025")
    copied = Client()
    copied.cookies[COOKIE_NAME] = client.cookies[COOKIE_NAME].value
    assert copied.get("/answer/start/").status_code == 200
    assert client.post("/answer/logout/")["Location"] == "/answer/"
    assert client.cookies[COOKIE_NAME].value == ""  # the browser is told to forget it
    assert copied.get("/answer/start/")["Location"] == "/answer/"
    assert other_device.get("/answer/start/")["Location"] == "/answer/"
    sign_in(client, letter.login_id, "midori-2025")  # signing in again works
    assert client.get("/answer/start/").status_code == 200


def _save_household_size(client: Client, size: str) -> None:
    page = client.get("/answer/q/household/").content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(version|digest|shown_at)" value="([^"]*)"', page))
    response = client.post(
        "/answer/q/household/", {**fields, "shown": ["household/hh_size"], "household/hh_size": size}
    )
    assert response.status_code in (200, 302)


@pytest.mark.usefixtures("fast_password_hashing")
def test_a_sessions_paradata_share_one_tag_from_sign_in_to_the_pages(letters: list[Letter]) -> None:
    client = Client()
    sign_in(client, letters[0].login_id, letters[0].access_key)
    _save_household_size(client, "2")
    login = CaseEvent.objects.get(kind="login")
    viewed = CaseEvent.objects.get(kind="page_view")
    assert login.session
    assert viewed.session == login.session
    sign_in(Client(), letters[0].login_id, "midori-2025")  # another sign-in is another session
    assert CaseEvent.objects.filter(kind="login").exclude(session=login.session).count() == 1


@pytest.mark.usefixtures("fast_password_hashing")
def test_a_page_view_reads_the_case_and_its_answer_in_one_query(letters: list[Letter]) -> None:
    client = Client()
    sign_in(client, letters[0].login_id, letters[0].access_key)
    for size in ("2", "3"):  # before and after the answer exists
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/answer/q/household/").status_code == 200
        reading_answers = [q["sql"] for q in queries.captured_queries if '"surveys_answer"' in q["sql"]]
        assert len(reading_answers) == 1
        assert '"surveys_surveycase"' in reading_answers[0]
        assert not any('"django_session"' in q["sql"] for q in queries.captured_queries)
        _save_household_size(client, size)
    assert 'value="3"' in client.get("/answer/q/household/").content.decode()


@pytest.mark.usefixtures("fast_password_hashing")
def test_a_tampered_session_cookie_is_no_session(letters: list[Letter]) -> None:
    client = Client()
    sign_in(client, letters[0].login_id, letters[0].access_key)
    value = client.cookies[COOKIE_NAME].value
    client.cookies[COOKIE_NAME] = value[:-3] + ("BBB" if value.endswith("AAA") else "AAA")
    assert client.get("/answer/start/")["Location"] == "/answer/"
