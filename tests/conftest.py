import os
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).parent / "e2e"
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))


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
