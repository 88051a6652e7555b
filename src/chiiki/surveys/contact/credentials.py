"""Login IDs and access keys for survey request letters, and how a key is stored and checked.

Login ID: 12 digits = 11 random digits + 1 check digit, weighted modulo 11. The weights of the eleven body
digits (left to right) are 2, 3, 4, 5, 6, 7, 8, 9, 10, 2, 3 and the check digit has weight 1; a valid ID has a
weighted sum divisible by 11. Bodies whose check value would be 10 are drawn again (as ISBN-10 would need an
"X"), so the check digit is always a digit and the sum is exactly 0 mod 11. Because 11 is prime and every weight
is nonzero mod 11, every single-digit error changes the sum by w*d (not 0 mod 11) and is caught; adjacent weights
differ, so every transposition of two different neighbouring digits is caught too (Luhn misses 09 <-> 90).
The first digit is never 0, so spreadsheets cannot drop it.

Access key: 8 characters from an alphabet without look-alikes (no 0/O/Q/D, 1/I/L/J, 2/Z, 5/S, 8/B, U/V, G),
drawn with `secrets`. Keys are shown once on the letter and stored only as hashes (`hash_access_key`).
Everything here but the hashing is plain Python.
"""

from __future__ import annotations

import base64
import secrets
import unicodedata
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import PBKDF2PasswordHasher

if TYPE_CHECKING:
    from chiiki.surveys.models import SurveyCase

LOGIN_ID_LENGTH = 12
LOGIN_ID_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 10, 2, 3)
ACCESS_KEY_ALPHABET = "ACEFHKMNPRTWXY34679"
ACCESS_KEY_LENGTH = 8

# Access keys are random (8 of 19 symbols, about 34 bits) and valid only until the respondent sets a password,
# so they need a salted slow hash but not the memory-hard Argon2 used for passwords: at Argon2's cost a
# 100,000-household census would take hours to issue. PBKDF2-SHA256 at this count costs a few tens of
# milliseconds per key and still makes a leaked table expensive to search key by key.
ACCESS_KEY_HASH_ITERATIONS = 30_000
_KEY_HASHER = PBKDF2PasswordHasher()

__all__ = [
    "ACCESS_KEY_ALPHABET",
    "ACCESS_KEY_HASH_ITERATIONS",
    "ACCESS_KEY_LENGTH",
    "LOGIN_ID_LENGTH",
    "check_digit",
    "format_access_key",
    "hash_access_key",
    "is_valid_login_id",
    "looks_like_access_key",
    "new_access_key",
    "new_login_id",
    "normalize_access_key",
    "normalize_login_id",
    "verify_access_key",
]


def check_digit(body: str) -> int | None:
    """The check digit for an 11-digit body, or None when the body needs a check value of 10 (never issued)."""
    if len(body) != LOGIN_ID_LENGTH - 1 or not body.isascii() or not body.isdigit():
        raise ValueError(f"body must be {LOGIN_ID_LENGTH - 1} digits: {body!r}")
    total = sum(weight * int(digit) for weight, digit in zip(LOGIN_ID_WEIGHTS, body, strict=True))
    value = (-total) % 11
    return None if value == 10 else value


def is_valid_login_id(login_id: str) -> bool:
    """True when `login_id` is 12 ASCII digits whose check digit matches."""
    if len(login_id) != LOGIN_ID_LENGTH or not login_id.isascii() or not login_id.isdigit():
        return False
    return check_digit(login_id[:-1]) == int(login_id[-1])


def new_login_id() -> str:
    """A fresh random login ID (the caller makes sure it is unique)."""
    while True:
        body = str(secrets.choice("123456789")) + "".join(secrets.choice("0123456789") for _ in range(10))
        digit = check_digit(body)
        if digit is not None:
            return f"{body}{digit}"


def normalize_login_id(text: str) -> str:
    """What a respondent typed, as the 12 digits: full-width digits, spaces and hyphens are accepted."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if ch not in " -\u2010\u2011\u2012\u2013\u2014\u2212\u30fc\t")


def new_access_key() -> str:
    """A fresh random access key of 8 characters without look-alikes."""
    return "".join(secrets.choice(ACCESS_KEY_ALPHABET) for _ in range(ACCESS_KEY_LENGTH))


def normalize_access_key(text: str) -> str:
    """What a respondent typed, in the stored form: full-width folded, upper case, spaces and hyphens removed."""
    return normalize_login_id(text).upper()


def looks_like_access_key(text: str) -> bool:
    """True when `text`, normalized, has the shape of an access key (8 characters of the key alphabet).

    Every issued key has this shape, so text without it can never match a key: the costly hash check
    can be skipped. The answer depends only on the text, never on a stored key, so skipping reveals nothing.
    """
    key = normalize_access_key(text)
    return len(key) == ACCESS_KEY_LENGTH and all(ch in ACCESS_KEY_ALPHABET for ch in key)


def format_access_key(key: str) -> str:
    """The key as printed on a letter, in two groups of four: "ACEF-HK34"."""
    return f"{key[:4]}-{key[4:]}"


def hash_access_key(key: str) -> str:
    """The stored form of an access key: salted PBKDF2-SHA256 in Django's encoding."""
    return _KEY_HASHER.encode(key, _KEY_HASHER.salt(), iterations=ACCESS_KEY_HASH_ITERATIONS)


def verify_access_key(case: SurveyCase, typed: str) -> bool:
    """True when `typed` (as the respondent typed it) is the case's access key (constant-time comparison).

    A stored value that is no key hash (a case the demo simulated) is never matched, yet costs the same PBKDF2
    work as a real one, so the time a sign-in takes does not tell which kind of case an ID belongs to."""
    usable = case.access_key_hash.startswith(f"{_KEY_HASHER.algorithm}$")
    stored = case.access_key_hash if usable else _unusable_key_hash()
    return bool(_KEY_HASHER.verify(normalize_access_key(typed), stored)) and usable


def _unusable_key_hash() -> str:
    """A well-formed key hash that no text matches: random bytes stand for the digest, so making it costs no
    hashing and checking against it costs exactly what checking a real key costs."""
    digest = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    return f"{_KEY_HASHER.algorithm}${ACCESS_KEY_HASH_ITERATIONS}${_KEY_HASHER.salt()}${digest}"
