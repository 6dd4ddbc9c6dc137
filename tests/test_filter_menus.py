"""The public lists' filter menus are written in Python (forms.MenuSelect) for speed; a
visitor must get the very menus Django's own Select templates wrote."""

import datetime
from unittest import mock

import pytest
from django import forms
from django.utils import translation

from partners.forms import CityFilterForm, ExchangeFilterForm, MenuSelect, SearchInput
from partners.models import Kind
from tests.factories import make_city, make_country, make_exchange

pytestmark = pytest.mark.django_db


def menus(form: forms.Form) -> list[str]:
    return [str(field) for field in form if isinstance(field.field.widget, MenuSelect)]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_filter_menus_are_the_markup_of_djangos_select_with_choice_kept_and_names_escaped(
    language,
):
    # A name that must be escaped, a chosen value, an invalid one and a year (an int value).
    odd = make_country("TT", name_en='Trinidad & "Tobago" <T>', name_ko="트리니다드 & 토바고")
    city = make_city("Port of Spain", odd, Kind.SISTER, datetime.date(2001, 2, 3))
    make_exchange(city, started_on=datetime.date(2019, 5, 1))
    data = {"kind": "sister", "country": "<nope>", "year": "2019", "partner": city.slug}
    with translation.override(language):
        for form_class in (CityFilterForm, ExchangeFilterForm):
            form = form_class(data)
            form.is_valid()
            ours = menus(form)
            with mock.patch.object(MenuSelect, "render", forms.Select.render):
                djangos = menus(form)
            assert len(ours) >= 4
            assert ours == djangos
        country_menu = menus(CityFilterForm(data))[2]
    name = {"en": "Trinidad &amp; &quot;Tobago&quot; &lt;T&gt;", "ko": "트리니다드 &amp; 토바고"}
    assert f'<option value="TT">{name[language]}</option>' in country_menu


@pytest.mark.parametrize("query", [None, "", "kharkov", '"><script>alert(1)</script> & 중국'])
def test_the_search_box_is_the_markup_of_djangos_text_input_with_the_query_escaped(query):
    data = {} if query is None else {"q": query, "kind": "nope"}
    for form_class in (CityFilterForm, ExchangeFilterForm):
        form = form_class(data)
        form.is_valid()
        ours = str(form["q"])
        with mock.patch.object(SearchInput, "render", forms.TextInput.render):
            djangos = str(form["q"])
        assert ours == djangos
        assert "<script>" not in ours
        assert ('value="' in ours) == bool(query)


def test_the_activity_and_country_menus_follow_the_language_and_each_new_record():
    # Their SQL is compiled once (models/compiled.py); the rows must be read every time.
    country = make_country("UA", name_en="Ukraine", name_ko="우크라이나")
    kharkiv = make_city("Kharkiv", country, Kind.SISTER, datetime.date(2013, 5, 7))
    kharkiv.name_ko = "하르키우"
    kharkiv.save()
    make_exchange(kharkiv, started_on=datetime.date(2019, 5, 1))

    def menu(name: str, language: str, form_class=ExchangeFilterForm) -> list:
        with translation.override(language):
            return list(form_class().fields[name].choices)[1:]

    assert menu("partner", "en") == [(kharkiv.slug, "Kharkiv")]
    assert menu("partner", "ko") == [(kharkiv.slug, "하르키우")]
    assert menu("year", "en") == [(2019, "2019")]
    seattle = make_city("Seattle", make_country("US"), Kind.SISTER, datetime.date(1989, 1, 1))
    make_exchange(seattle, started_on=datetime.date(2023, 1, 1))
    assert [slug for slug, _name in menu("partner", "en")] == [kharkiv.slug, seattle.slug]
    assert menu("year", "ko") == [(year, str(year)) for year in range(2023, 2018, -1)]
    assert menu("country", "ko", CityFilterForm) == [
        ("US", seattle.country.name_ko),
        ("UA", "우크라이나"),
    ]
    assert menu("country", "en", CityFilterForm) == [
        ("UA", "Ukraine"),
        ("US", seattle.country.name_en),
    ]
