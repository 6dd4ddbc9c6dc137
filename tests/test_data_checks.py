"""The data checks (partners/checks) against the seed page's own slips, and the demo data."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from partners.checks import CheckContext, check_partner, open_warnings
from partners.checks.figures import DENSITY_BOUNDS
from partners.models import City, Continent
from tests.factories import make_city, make_country

pytestmark = pytest.mark.django_db

SEED = Path("/work/shared/seed/daejeon-partner-cities.txt")
if not SEED.exists():  # the copy in fixtures/ (fixtures/DATA-NOTES.md)
    SEED = Path(__file__).resolve().parent.parent / "fixtures/seed/daejeon-partner-cities.txt"


def seed_entry(nation: str, name: str) -> dict[str, str]:
    """The seed's population and land area of a partner exactly as published (no fixes)."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{nation} {name} "))
    facts = {}
    for line in lines[start + 1 : start + 4]:
        if match := re.search(r"(Population|Land area)(.+)$", line):
            facts[match[1]] = match[2]
    return facts


def seed_number(text: str) -> Decimal:
    return Decimal(text.removesuffix("km²").replace(",", ""))


def codes(city: City, context=None, agreements=(), previous=None) -> set[str]:
    context = context or CheckContext([])
    return {w.check for w in check_partner(city, context, agreements, previous)}


@pytest.fixture
def demo_data(db) -> None:
    call_command("loaddata", "countries", "daejeon", verbosity=0)


def test_wuhans_seed_population_is_a_unit_slip_against_the_corrected_figure(demo_data):
    wuhan = City.objects.get(slug="wuhan")
    seed = seed_entry("China", "Wuhan")
    stored = wuhan.population
    wuhan.population = int(seed_number(seed["Population"]))  # 10,020: 1,002만 read as people
    with translation.override("en"):
        found = check_partner(wuhan, CheckContext([]), previous={"population": stored})
    slip = next(w for w in found if w.check == "unit-slip")
    assert (slip.field, slip.value) == ("population", "10020")
    assert "1/1,000" in slip.message


def test_wuhans_seed_population_is_too_sparse_for_a_city(demo_data):
    wuhan = City.objects.get(slug="wuhan")
    wuhan.population = int(seed_number(seed_entry("China", "Wuhan")["Population"]))
    # 10,020 people on the seed's 8,494 km²: 1.2 per km², under a city's lowest bound.
    assert wuhan.area_km2 == seed_number(seed_entry("China", "Wuhan")["Land area"])
    assert "density" in codes(wuhan)
    wuhan.population = 10_020_000
    assert "density" not in codes(wuhan)


def test_density_bounds_are_looser_for_a_province_than_for_a_city():
    city = City(level="city", population=450_000, area_km2=Decimal(90_000))
    province = City(level="province", population=450_000, area_km2=Decimal(90_000))
    assert "density" in codes(city)  # 5 per km²
    assert "density" not in codes(province)
    assert DENSITY_BOUNDS["province"][0] < DENSITY_BOUNDS["city"][0]


def test_durbans_seed_area_is_shenyangs(demo_data):
    durban_area = seed_number(seed_entry("Republic of South Africa", "Durban")["Land area"])
    shenyang_area = seed_number(seed_entry("China", "Shenyang")["Land area"])
    assert durban_area == shenyang_area
    warnings = [(city.slug, w.check, w.field, w.value) for city, w in open_warnings()]
    assert warnings == [
        ("durban", "same-figure", "area_km2", "12980"),
        ("shenyang", "same-figure", "area_km2", "12980"),
    ]


def test_the_corrected_demo_data_raises_only_the_data_notes_doubtful_area(demo_data):
    notes = (Path(__file__).resolve().parent.parent / "fixtures/DATA-NOTES.md").read_text()
    assert "| Durban | land area | 12,980 km² | the same figure as Shenyang's" in notes
    assert {city.slug for city, _w in open_warnings()} == {"durban", "shenyang"}


def test_round_figures_shared_by_chance_do_not_warn():
    context = CheckContext([(1, "Victoria", 60_000, None)])
    assert "same-figure" not in codes(City(name_en="Other", population=60_000), context)
    context = CheckContext([(1, "Seattle", 620_700, None)])
    assert "same-figure" in codes(City(name_en="Other", population=620_700), context)


def test_nicefrance_from_the_seed_has_the_country_glued_to_it():
    assert "Nicefrance" in SEED.read_text(encoding="utf-8")
    france = make_country("FR", name_en="France", name_ko="프랑스")
    nice = City(name_en="Nicefrance", name_ko="니스", country=france)
    assert "country-in-name" in codes(nice)
    assert "country-in-name" not in codes(City(name_en="Nice", name_ko="니스", country=france))
    mexico = make_country("MX", name_en="Mexico", name_ko="멕시코")
    assert "country-in-name" not in codes(
        City(name_en="Mexico City", name_ko="멕시코시티", country=mexico)
    )


def test_names_with_the_wrong_script_or_stray_punctuation_warn():
    korea = make_country("KR", name_en="South Korea", name_ko="대한민국")
    assert "latin-in-korean-name" in codes(City(name_en="Brno", name_ko="브르노(Brno)"))
    # Full-width, as a Korean input method types them.
    assert "latin-in-korean-name" in codes(City(name_en="Brno", name_ko="브르노(Ｂｒｎｏ)"))
    assert "hangul-in-english-name" in codes(City(name_en="브르노 Brno", name_ko="브르노"))
    assert "name-punctuation" in codes(City(name_en="Uppsala,", name_ko="웁살라"))
    assert "name-punctuation" not in codes(
        City(name_en="'s-Hertogenbosch", name_ko="스헤르토헌보스", country=korea)
    )
    assert "name-punctuation" not in codes(City(name_en="Washington, D.C.", name_ko="워싱턴"))


def test_coordinates_outside_the_country_and_swapped_ones_warn():
    ukraine = make_country("UA")
    kharkiv = City(name_en="Kharkiv", country=ukraine, latitude=Decimal("49.99"))
    kharkiv.longitude = Decimal("36.23")
    assert codes(kharkiv) == set()
    kharkiv.latitude, kharkiv.longitude = Decimal("36.23"), Decimal("49.99")
    assert codes(kharkiv) == {"swapped-coordinates"}
    kharkiv.latitude, kharkiv.longitude = Decimal("47.61"), Decimal("-122.33")  # Seattle
    assert codes(kharkiv) == {"outside-country"}


def test_coordinates_across_the_antimeridian_are_inside_their_country():
    russia = make_country("RU", name_en="Russia", name_ko="러시아")
    anadyr = City(name_en="Anadyr", country=russia, latitude=Decimal("64.73"))
    anadyr.longitude = Decimal("177.51")
    assert codes(anadyr) == set()
    anadyr.longitude = Decimal("-172.0")  # Chukotka runs on past 180° to about -169°
    assert codes(anadyr) == set()
    anadyr.latitude, anadyr.longitude = Decimal("61.22"), Decimal("-149.90")  # Anchorage
    assert codes(anadyr) == {"outside-country"}


def test_signing_dates_before_1950_in_the_future_or_after_the_end_warn():
    today = datetime.date(2026, 1, 1)
    context = CheckContext([], today=today)
    city = City(name_en="Seattle")
    assert codes(city, context, [(datetime.date(1949, 12, 31), None)]) == {"signed-before-1950"}
    assert codes(city, context, [(datetime.date(2026, 1, 2), None)]) == {"signed-in-future"}
    ended = [(datetime.date(2010, 1, 1), datetime.date(2009, 1, 1))]
    assert codes(city, context, ended) == {"signed-after-end"}
    assert codes(city, context, [(datetime.date(1989, 10, 4), None)]) == set()


def test_kharkivs_continent_comes_from_its_country_so_it_cannot_slip(demo_data):
    """The seed counted Kharkiv in Asia. A partner's continent is no one's entry: the stored
    copy the pages sort by is not editable and follows the country on every save."""
    kharkiv = City.objects.get(slug="kharkiv")
    assert not City._meta.get_field("continent").editable
    assert kharkiv.country.continent == Continent.EUROPE
    kharkiv.continent = Continent.ASIA
    kharkiv.save()
    kharkiv.refresh_from_db()
    assert kharkiv.continent == Continent.EUROPE
    assert not City.objects.filter(country__iso_code="UA", country__continent="asia").exists()


def test_a_confirmed_warning_does_not_repeat_but_a_changed_value_does(demo_data):
    from partners.checks import confirm_warnings

    durban = City.objects.get(slug="durban")
    [(_city, warning)] = [(c, w) for c, w in open_warnings() if c.slug == "durban"]
    confirm_warnings(durban, [warning], None)
    assert [c.slug for c, _w in open_warnings()] == ["shenyang"]
    City.objects.filter(slug="shenyang").update(area_km2=Decimal("1298"))
    durban.area_km2 = Decimal("1298")
    durban.save()
    assert {c.slug for c, _w in open_warnings()} == {"durban", "shenyang"}


def test_the_report_checks_in_a_fixed_number_of_queries(demo_data, django_assert_num_queries):
    make_city("Extra", "US", population=123_456, area_km2=Decimal(100))
    with django_assert_num_queries(4):
        open_warnings()
