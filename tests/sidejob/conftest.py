"""The side-job tests use the talent bank's fixtures: a worker is a talent profile, an employer an organization."""

from tests.talent.conftest import (  # noqa: F401  # fixtures, found by pytest by name
    _fast_password_hashing,
    admin_a,
    cloud_need,
    company,
    company_user,
    make_talent,
)
