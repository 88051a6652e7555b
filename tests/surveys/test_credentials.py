"""Login IDs with a mod-11 check digit and access keys without look-alike characters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chiiki.surveys.contact.credentials import (
    ACCESS_KEY_ALPHABET,
    ACCESS_KEY_LENGTH,
    check_digit,
    format_access_key,
    is_valid_login_id,
    looks_like_access_key,
    new_access_key,
    new_login_id,
    normalize_access_key,
    normalize_login_id,
)

LOOK_ALIKES = set("0O1IL2Z5S8BUVQDGJ")


def test_a_new_login_id_is_twelve_digits_with_a_valid_check_digit() -> None:
    for _ in range(200):
        login_id = new_login_id()
        assert len(login_id) == 12
        assert login_id.isdigit()
        assert login_id[0] != "0"
        assert is_valid_login_id(login_id)


def test_login_ids_are_random() -> None:
    assert len({new_login_id() for _ in range(500)}) == 500


@settings(max_examples=300)
@given(body=st.text("0123456789", min_size=11, max_size=11))
def test_the_check_digit_catches_every_single_digit_error(body: str) -> None:
    digit = check_digit(body)
    if digit is None:
        return  # never issued
    login_id = f"{body}{digit}"
    assert is_valid_login_id(login_id)
    for position in range(12):
        for replacement in "0123456789":
            if replacement == login_id[position]:
                continue
            wrong = login_id[:position] + replacement + login_id[position + 1 :]
            assert not is_valid_login_id(wrong), (login_id, wrong)


@settings(max_examples=300)
@given(body=st.text("0123456789", min_size=11, max_size=11))
def test_the_check_digit_catches_every_swap_of_neighbouring_digits(body: str) -> None:
    digit = check_digit(body)
    if digit is None:
        return
    login_id = f"{body}{digit}"
    for position in range(11):
        a, b = login_id[position], login_id[position + 1]
        if a != b:
            swapped = login_id[:position] + b + a + login_id[position + 2 :]
            assert not is_valid_login_id(swapped)


def test_malformed_login_ids_are_invalid() -> None:
    for text in ["", "12345", "１２３４５６７８９０１２", "abcdefghijkl", "1234567890123"]:
        assert not is_valid_login_id(text)


def test_typed_login_ids_are_normalized() -> None:
    assert normalize_login_id("１２３４-５６７８ ９０１２") == "123456789012"


def test_access_keys_have_eight_characters_without_look_alikes() -> None:
    assert not LOOK_ALIKES & set(ACCESS_KEY_ALPHABET)
    keys = {new_access_key() for _ in range(500)}
    assert len(keys) == 500
    for key in keys:
        assert len(key) == ACCESS_KEY_LENGTH
        assert set(key) <= set(ACCESS_KEY_ALPHABET)


def test_access_keys_use_the_whole_alphabet() -> None:
    seen = set("".join(new_access_key() for _ in range(300)))
    assert seen == set(ACCESS_KEY_ALPHABET)


def test_typed_access_keys_are_normalized_and_printed_in_two_groups() -> None:
    assert normalize_access_key("ａｃｅｆ－ｈｋ３４") == "ACEFHK34"
    assert format_access_key("ACEFHK34") == "ACEF-HK34"


def test_every_new_key_looks_like_a_key_as_printed_and_as_typed() -> None:
    to_full_width = str.maketrans("ACEFHKMNPRTWXY34679-", "ＡＣＥＦＨＫＭＮＰＲＴＷＸＹ３４６７９－")
    for _ in range(200):
        key = new_access_key()
        assert looks_like_access_key(key)
        assert looks_like_access_key(format_access_key(key).lower())
        assert looks_like_access_key(format_access_key(key).translate(to_full_width))


def test_text_of_another_length_or_with_other_characters_cannot_be_a_key() -> None:
    assert not looks_like_access_key("midori-2025")  # a typical password
    assert not looks_like_access_key("ACEFHK3")  # seven characters
    assert not looks_like_access_key("ACEFHK349")  # nine characters
    assert not looks_like_access_key("ACEFHK30")  # 0 is not in the key alphabet
    assert not looks_like_access_key("ACEFHKB4")  # B neither
    assert not looks_like_access_key("")
