import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """A request with Accept-Language leaves its language active in the thread (Django's
    LocaleMiddleware never deactivates); start every test from the site's default."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
