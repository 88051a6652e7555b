"""Password hashing parameters.

Django's default Argon2 settings use 100 MiB and 8 lanes per hash. A census sign-in peak hashes thousands of
respondent passwords at once on a few cores, so we use OWASP's recommended Argon2id setting instead
(19 MiB, 2 iterations, 1 lane), which is still memory-hard. Stored hashes carry their own parameters, so
older hashes keep verifying and are upgraded on the next successful login.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's Password Storage Cheat Sheet parameters (m=19 MiB, t=2, p=1)."""

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
