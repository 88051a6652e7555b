"""The answering test's browser fixtures, shared: Debian's Chromium, axe-core (bundled by axe-playwright-python),
a server on the test database.

tests/ is on sys.path (pytest's rootdir import mode), so the answering tests' modules import as `surveys.…`.
"""

from tests.surveys.test_browser_answer import answer_server, axe_source, chromium  # noqa: F401 - fixtures, used by name
