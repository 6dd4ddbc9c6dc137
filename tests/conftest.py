import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from partners.models import City
from tests.factories import make_agreement, make_city

E2E_DIR = Path(__file__).parent / "e2e"
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language: a request served by the test client
    leaves its language active in the thread, which would make tests depend on their order."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_page_cache(settings, tmp_path_factory):
    """Each test starts with no stored pages: tests roll their data back, and with it the
    data version, so a page stored by one test could be served in the next. Pages kept as
    files go to a folder of the test's own."""
    from django.core.cache import caches

    from portal import page_cache

    for alias in ("default", "local-pages", "pages"):
        caches[alias].clear()
    page_cache.decoded.clear()
    settings.PORTAL_PAGE_FILES_DIR = tmp_path_factory.mktemp("pages")


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


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """Uploaded files go to a fresh folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def kharkiv(db) -> City:
    """A friendly partner since 2013 with a population, for admin and history tests."""
    city = make_city("Kharkiv", country="UA", name_ko="하르키우", population=1_000_000)
    make_agreement(city, kind="friendly", signed_on=datetime.date(2013, 8, 23))
    return city
