import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

E2E_DIR = Path(__file__).parent / "e2e"
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language: a request served by the test client
    leaves its language active in the thread, which would make tests depend on their order."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


class _SkippedDirectory(pytest.Dir):
    def collect(self):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")


def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Skip the browser tests in one line where there is no Chromium, but never in CI,
    where a missing browser must fail the run (tests/e2e/conftest.py) instead."""
    in_ci = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
    if path == E2E_DIR and not CHROMIUM.exists() and not in_ci:
        return _SkippedDirectory.from_parent(parent, path=path)
    return None
