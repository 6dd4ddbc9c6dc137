"""The demo data must equal the seed page under the demo-data policy (docs/demo-data.md).

Expected values are read from the seed page itself (fixtures/seed/), with the policy's
corrections applied from the explicit mappings below, never from the fixture being tested.
"""

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from partners.models import Agreement, City, Country, HomeCity, Kind

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEED = FIXTURES / "seed" / "daejeon-partner-cities.txt"

# The seed's nation column -> ISO code. "Austrailia" is the seed's misspelling of Australia.
SEED_NATIONS = {
    "Algeria": "DZ",
    "Austrailia": "AU",
    "Canada": "CA",
    "Chile": "CL",
    "China": "CN",
    "Czech Republic": "CZ",
    "France": "FR",
    "Germany": "DE",
    "Hungary": "HU",
    "Indonesia": "ID",
    "Italy": "IT",
    "Japan": "JP",
    "Laos": "LA",
    "Mexico": "MX",
    "Mongolia": "MN",
    "Republic of South Africa": "ZA",
    "Russia": "RU",
    "Seychelles": "SC",
    "Spain": "ES",
    "Sweden": "SE",
    "Taiwan": "TW",
    "Ukraine": "UA",
    "United States": "US",
    "Vietnam": "VN",
}

# The corrections the demo-data policy (docs/demo-data.md) allows, keyed by the seed's value.
NAME_CORRECTIONS = {
    "la serena": "La Serena",
    "Nicefrance": "Nice",
    "Algier": "Algiers",
    "브르노(Brno)": "Brno",
    "Tsingtao": "Qingdao",
    "Kharkov": "Kharkiv",
    "Ulan Bator": "Ulaanbaatar",
    "Firenze": "Florence",
    "Hung Yên Province": "Hung Yen Province",
}
POPULATION_CORRECTIONS = {"Wuhan": 10_020_000}
AREA_CORRECTIONS = {"16,875km": Decimal("16875"), "102,41km²": Decimal("102.41")}

SECTIONS = {
    "Current status of sister cities": Kind.SISTER,
    "Current status of friendly cooperation cities": Kind.FRIENDLY,
}

# Generous boxes (south, north, west, east) around each partner country's main territory.
COUNTRY_BOXES = {
    "AU": (-44, -10, 113, 154),
    "CA": (41, 84, -141, -52),
    "CL": (-56, -17, -76, -66),
    "CN": (18, 54, 73, 135),
    "CZ": (48.5, 51.1, 12, 18.9),
    "DE": (47, 55.1, 5.8, 15.1),
    "DZ": (19, 37.1, -8.7, 12),
    "ES": (36, 43.8, -9.3, 3.4),
    "FR": (41, 51.1, -5.2, 9.6),
    "HU": (45.7, 48.6, 16, 23),
    "ID": (-11, 6, 95, 141),
    "IT": (35.5, 47.1, 6.6, 18.6),
    "JP": (24, 46, 122, 146),
    "LA": (13.9, 22.5, 100, 107.7),
    "MN": (41.5, 52.2, 87.7, 120),
    "MX": (14, 33, -118, -86),
    "RU": (41, 82, 19, 180),
    "SC": (-10.3, -3.7, 46, 56.3),
    "SE": (55, 69.1, 11, 24.2),
    "TW": (21.9, 25.3, 119.3, 122.1),
    "UA": (44, 52.4, 22, 40.3),
    "US": (18, 72, -180, -66),
    "VN": (8, 23.4, 102, 110),
    "ZA": (-35, -22, 16, 33),
}

INTERCHANGE_COLUMNS = [
    "slug",
    "name_en",
    "name_ko",
    "aliases",
    "country",
    "kind",
    "status",
    "signed_on",
    "population",
    "population_year",
    "area_km2",
    "latitude",
    "longitude",
    "feature_en",
    "feature_ko",
    "website",
]

HANGUL = re.compile("[가-힣]")


@dataclass
class SeedRow:
    country: str
    name: str
    kind: str
    signed_on: str
    population: int
    area_km2: Decimal


def seed_area(text: str) -> Decimal:
    if text in AREA_CORRECTIONS:
        return AREA_CORRECTIONS[text]
    number = text.removesuffix("km²")
    # A comma only between groups of three digits; anything else must be a listed correction.
    assert re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d+)?|\d+(\.\d+)?", number), text
    return Decimal(number.replace(",", ""))


def seed_rows() -> list[SeedRow]:
    rows: list[SeedRow] = []
    kind = None
    nations = sorted(SEED_NATIONS, key=len, reverse=True)
    for line in SEED.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line in SECTIONS:
            kind = SECTIONS[line]
        elif kind and (entry := re.fullmatch(r"(.+) (\d{4}-\d{2}-\d{2})", line)):
            nation = next(n for n in nations if entry[1].startswith(n + " "))
            seed_name = entry[1].removeprefix(nation + " ")
            name = NAME_CORRECTIONS.get(seed_name, seed_name)
            rows.append(SeedRow(SEED_NATIONS[nation], name, kind, entry[2], 0, Decimal(0)))
        elif kind and (population := re.search(r"Population([\d,]+)$", line)):
            seed_value = int(population[1].replace(",", ""))
            rows[-1].population = POPULATION_CORRECTIONS.get(rows[-1].name, seed_value)
        elif kind and (area := re.search(r"Land area(\S+)$", line)):
            rows[-1].area_km2 = seed_area(area[1])
    return rows


def seed_totals() -> list[int]:
    """The seed's totals row: Total, America, EU, Oceania, Africa, Asia."""
    line = next(x for x in SEED.read_text(encoding="utf-8").splitlines() if x.startswith("Total"))
    return [int(n) for n in line.split()[1:]]


@pytest.fixture
def demo_data(db) -> None:
    call_command("loaddata", "countries", "daejeon", verbosity=0)


def fixture_records(name: str) -> list[dict]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_the_seed_page_lists_14_sister_and_20_friendly_partners():
    kinds = Counter(row.kind for row in seed_rows())
    assert kinds == {Kind.SISTER: 14, Kind.FRIENDLY: 20}


def test_every_partner_matches_the_seed_page_name_country_kind_date_population_and_area(
    demo_data,
):
    partners = {city.name_en: city for city in City.objects.published()}
    seed = seed_rows()
    assert len(partners) == len(seed) == 34
    for row in seed:
        city = partners[row.name]
        assert (
            city.country.iso_code,
            city.current_kind,
            city.since.isoformat(),
            city.population,
            city.area_km2,
        ) == (row.country, row.kind, row.signed_on, row.population, row.area_km2), row.name


def test_the_computed_counts_table_moves_only_kharkiv_from_the_seeds_asia_to_europe(demo_data):
    partners = City.objects.published()
    by_continent = Counter(city.country.continent for city in partners)
    computed = [
        len(partners),
        by_continent["americas"],
        by_continent["europe"],
        by_continent["oceania"],
        by_continent["africa"],
        by_continent["asia"],
    ]
    total, americas, europe, oceania, africa, asia = seed_totals()
    assert computed == [total, americas, europe + 1, oceania, africa, asia - 1]
    assert computed == [34, 5, 10, 1, 3, 15]
    assert Counter(city.current_kind for city in partners) == {"sister": 14, "friendly": 20}


def test_the_counts_table_cells_by_kind_and_continent(demo_data):
    cells = Counter(
        (city.current_kind, city.country.continent) for city in City.objects.published()
    )
    assert cells == {
        ("sister", "americas"): 4,
        ("sister", "europe"): 3,
        ("sister", "oceania"): 1,
        ("sister", "africa"): 1,
        ("sister", "asia"): 5,
        ("friendly", "americas"): 1,
        ("friendly", "europe"): 7,
        ("friendly", "africa"): 2,
        ("friendly", "asia"): 10,
    }


def test_every_partner_has_a_korean_name_a_korean_feature_and_coordinates_in_its_country(
    demo_data,
):
    home = HomeCity.load()
    for city in City.objects.select_related("country"):
        assert HANGUL.search(city.name_ko), city.slug
        assert HANGUL.search(city.feature_ko), city.slug
        assert city.feature_en, city.slug
        south, north, west, east = COUNTRY_BOXES[city.country.iso_code]
        assert south <= city.latitude <= north, city.slug
        assert west <= city.longitude <= east, city.slug
        # Half the Earth's circumference is the farthest any place can be.
        assert 0 < city.distance_km(home) < 20_016, city.slug


def test_seed_spellings_and_other_names_find_the_partner(demo_data):
    searches = {
        "Kharkov": "kharkiv",
        "kharkiv": "kharkiv",
        "하르키우": "kharkiv",
        "Tsingtao": "qingdao",
        "Ulan Bator": "ulaanbaatar",
        "Florence": "firenze",
        "hung yen": "hung-yen-province",
        "Hưng Yên": "hung-yen-province",
    }
    for query, slug in searches.items():
        assert list(City.objects.search(query).values_list("slug", flat=True)) == [slug], query


def test_seed_nations_with_other_names_point_at_the_right_country(demo_data):
    countries = dict(City.objects.values_list("slug", "country__iso_code"))
    assert countries["kaohsiung"] == "TW"
    assert countries["brno"] == "CZ"
    assert countries["durban"] == "ZA"
    assert countries["brisbane"] == "AU"
    assert Country.objects.get(iso_code="CZ").name_en == "Czechia"
    assert Country.objects.get(iso_code="ZA").name_en == "South Africa"


def test_korean_country_names_are_the_foreign_ministrys(demo_data):
    names = dict(Country.objects.values_list("iso_code", "name_ko"))
    assert (names["AU"], names["ZA"]) == ("호주", "남아프리카공화국")
    assert (names["CZ"], names["TR"], names["TW"]) == ("체코", "튀르키예", "대만")


def test_the_home_city_carries_the_seed_intro_with_its_slips_fixed(demo_data):
    home = HomeCity.load()
    assert (home.name_en, home.name_ko) == ("Daejeon", "대전")
    assert home.slogan_en == "Change and Innovation, Understanding and Cooperation"
    assert home.title_en == "Sister and Friendly Cooperation Cities"
    assert home.headline_en.startswith("Daejeon, a city that pursues internationalization")
    assert "education, economy, culture, and sports" in home.intro_en
    assert all(HANGUL.search(text) for text in (home.slogan_ko, home.title_ko, home.intro_ko))


def data_notes_table(heading_before: str) -> list[list[str]]:
    """The body rows (cells stripped) of the first table after heading_before in DATA-NOTES.md."""
    text = (FIXTURES / "DATA-NOTES.md").read_text(encoding="utf-8")
    after = text[text.index(heading_before) :]
    rows = []
    for line in after.splitlines()[1:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] not in ("partner", "field", "---") and not set(cells[0]) <= {"-"}:
            rows.append(cells)
    return rows


def seed_features() -> dict[str, str]:
    """Each seed partner's English feature, keyed by its name with the policy's corrections."""
    features, name = {}, None
    nations = sorted(SEED_NATIONS, key=len, reverse=True)
    for line in SEED.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if entry := re.fullmatch(r"(.+) \d{4}-\d{2}-\d{2}", line):
            nation = next((n for n in nations if entry[1].startswith(n + " ")), None)
            seed_name = entry[1].removeprefix(f"{nation} ")
            name = NAME_CORRECTIONS.get(seed_name, seed_name) if nation else None
        elif name and (feature := re.fullmatch(r"• Feature(.+)", line)):
            features[name] = feature[1]
    return features


def test_every_feature_correction_in_the_data_notes_is_in_the_fixture_and_its_original_in_the_seed(
    demo_data,
):
    corrections = data_notes_table("English features that mistranslate")
    seed = seed_features()
    assert {"Hefei", "Wuhan", "Nice", "Luang Prabang", "Victoria", "Uppsala"} <= {
        partner for partner, *_ in corrections
    }
    for partner, field, seed_value, fixture_value in corrections:
        assert seed[partner] == seed_value, partner
        assert getattr(City.objects.get(name_en=partner), field) == fixture_value, partner
    features = " ".join(City.objects.values_list("feature_en", flat=True))
    for slip in ("Chengdu", "Sofia", "appoints UNESCO", "sheep stalking", "capital africa"):
        assert slip not in features


def test_the_home_city_corrections_in_the_data_notes_replace_the_seeds_words(demo_data):
    seed = SEED.read_text(encoding="utf-8")
    home = HomeCity.load()
    rows = {field: (old, new) for field, old, new in data_notes_table("Home-city record")}
    assert rows["headline_en"][0] in seed and home.headline_en == rows["headline_en"][1]
    assert rows["title_en"][0] in seed and home.title_en == rows["title_en"][1]
    first_sentence = rows["intro_en (first sentence)"]
    assert first_sentence[0] in seed and home.intro_en.startswith(first_sentence[1])
    # The umbrella term of the glossary, not the seed's third name for it.
    assert home.title_ko == "자매·우호도시"


def test_florence_and_hung_yen_use_their_common_english_names_and_keep_the_seeds_as_aliases(
    demo_data,
):
    florence = City.objects.get(slug="firenze")
    hung_yen = City.objects.get(slug="hung-yen-province")
    assert (florence.name_en, hung_yen.name_en) == ("Florence", "Hung Yen Province")
    assert "Firenze" in florence.alias_list and "Hung Yên Province" in hung_yen.alias_list


def test_loading_the_demo_data_into_an_empty_database_and_again_changes_nothing_the_second_time(
    db,
):
    for _ in range(2):
        call_command("loaddata", "countries", "daejeon", verbosity=0)
        assert City.objects.count() == 34
        assert Agreement.objects.filter(status="active").count() == 34
        assert HomeCity.objects.count() == 1
        assert Country.objects.count() == len(fixture_records("countries.json"))


def test_the_country_list_has_every_iso_country_with_korean_names_and_m49_continents(db):
    call_command("loaddata", "countries", verbosity=0)
    assert Country.objects.count() >= 249
    assert Country.objects.get(iso_code="KR").name_ko == "대한민국"
    continents = dict(Country.objects.values_list("iso_code", "continent"))
    assert [continents[code] for code in ("RU", "UA")] == ["europe", "europe"]
    assert [continents[code] for code in ("TR", "CY", "KZ", "TW")] == ["asia"] * 4
    assert continents["SC"] == "africa"
    assert not Country.objects.filter(name_ko="").exists()


def test_the_csv_and_the_json_fixture_hold_the_same_partners():
    raw = (FIXTURES / "daejeon.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == INTERCHANGE_COLUMNS
    records = fixture_records("daejeon.json")
    cities = {r["fields"]["slug"]: r["fields"] for r in records if r["model"] == "partners.city"}
    agreements = {
        r["fields"]["city"][0]: r["fields"] for r in records if r["model"] == "partners.agreement"
    }
    assert len(rows) == len(cities) == len(agreements) == 34

    def decimal(value: str | None) -> Decimal | None:
        return Decimal(value) if value not in ("", None) else None

    for row in rows:
        city, agreement = cities[row["slug"]], agreements[row["slug"]]
        as_csv = {
            **{key: row[key] for key in ("name_en", "name_ko", "aliases", "feature_en")},
            **{key: row[key] for key in ("feature_ko", "website", "country")},
            "kind": row["kind"],
            "status": row["status"],
            "signed_on": row["signed_on"],
            "population": int(row["population"]) if row["population"] else None,
            "population_year": int(row["population_year"]) if row["population_year"] else None,
            **{key: decimal(row[key]) for key in ("area_km2", "latitude", "longitude")},
        }
        as_json = {
            **{key: city[key] for key in ("name_en", "name_ko", "aliases", "feature_en")},
            **{key: city[key] for key in ("feature_ko", "website")},
            "country": city["country"][0],
            "kind": agreement["kind"],
            "status": agreement["status"],
            "signed_on": agreement["signed_on"],
            "population": city["population"],
            "population_year": city["population_year"],
            **{key: decimal(city[key]) for key in ("area_km2", "latitude", "longitude")},
        }
        assert as_csv == as_json, row["slug"]


def test_load_demo_data_fills_an_empty_database(db):
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert City.objects.count() == 34
    assert HomeCity.load().name_en == "Daejeon"
    assert Country.objects.count() >= 249
    assert "34" in out.getvalue()


def test_load_demo_data_leaves_a_database_with_partners_untouched(db):
    call_command("loaddata", "countries", verbosity=0)
    City.objects.create(
        slug="kyoto", name_en="Kyoto", name_ko="교토", country=Country.objects.get(iso_code="JP")
    )
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert list(City.objects.values_list("slug", flat=True)) == ["kyoto"]
    assert not HomeCity.objects.exists()
    # Commands speak LANGUAGE_CODE (Korean by default): "Demo data not loaded".
    assert "데모 데이터를 불러오지 않았습니다" in out.getvalue()


def test_load_demo_data_leaves_a_database_with_a_home_city_untouched(db):
    HomeCity.objects.create(
        name_en="Sejong", name_ko="세종", latitude=36.48, longitude=127.29, title_en="Partners"
    )
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert not City.objects.exists()
    assert HomeCity.load().name_en == "Sejong"
    # Commands speak LANGUAGE_CODE (Korean by default): "Demo data not loaded".
    assert "데모 데이터를 불러오지 않았습니다" in out.getvalue()
