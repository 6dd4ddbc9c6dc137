"""Dates on the public pages are written by local_date, Django's date filter made faster: the
text a visitor reads must be the very text Django's filter writes, in each language."""

import datetime

import pytest
from django.template.defaultfilters import date as django_date
from django.utils import translation

from partners.templatetags.portal import local_date


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_month_and_day_reads_as_djangos_date_filter_writes_it(language):
    days = [datetime.date(2024, month, day) for month in range(1, 13) for day in (1, 9, 28)]
    days += [datetime.date(1, 1, 1), datetime.date(9999, 12, 31), datetime.date(2024, 2, 29)]
    with translation.override(language):
        written = [local_date(day) for day in days]
        assert written == [django_date(day) for day in days]
    assert written[0] == {"ko": "2024. 1. 1.", "en": "Jan. 1, 2024"}[language]
    assert written[24] == {"ko": "2024. 9. 1.", "en": "Sept. 1, 2024"}[language]


def test_a_missing_date_is_blank():
    assert local_date(None) == "" == django_date(None)
    assert local_date("") == ""
