"""The answering test's browser fixtures for the component tests: Debian's Chromium, axe-core, a test server."""

from tests.surveys.test_browser_answer import answer_server, axe_source, chromium  # noqa: F401 - fixtures, used by name
