"""The answering test's browser fixtures (Debian's Chromium, axe-core from npm, a server on the test database)."""

from tests.surveys.test_browser_answer import answer_server, axe_source, chromium  # noqa: F401 - fixtures, used by name
