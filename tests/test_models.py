import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from partners.models import Agreement, City, Country, Exchange, HomeCity, Kind, Status, fold

pytestmark = pytest.mark.django_db

D = datetime.date


def ukraine() -> Country:
    country, _ = Country.objects.get_or_create(
        iso_code="UA",
        defaults={"name_en": "Ukraine", "name_ko": "우크라이나", "continent": "europe"},
    )
    return country


def kharkiv(**fields) -> City:
    values = {
        "name_en": "Kharkiv",
        "name_ko": "하르키우",
        "aliases": "Kharkov",
        "country": ukraine(),
    }
    return City.objects.create(slug=fields.pop("slug", "kharkiv"), **(values | fields))


def refused(make) -> None:
    """The database itself refuses the row (not just form validation)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_a_new_agreement_ends_the_one_it_supersedes():
    city = kharkiv()
    first = Agreement.objects.create(city=city, kind=Kind.FRIENDLY, signed_on=D(2013, 8, 23))
    Agreement.objects.create(city=city, kind=Kind.SISTER, signed_on=D(2020, 5, 1))
    first.refresh_from_db()
    assert (first.status, first.ended_on) == (Status.ENDED, D(2020, 5, 1))


def test_a_renewal_keeps_the_since_date_and_an_upgrade_resets_it():
    city = kharkiv()
    for kind, year in [(Kind.FRIENDLY, 2010), (Kind.FRIENDLY, 2013), (Kind.SISTER, 2015)]:
        Agreement.objects.create(city=city, kind=kind, signed_on=D(year, 1, 1))
    assert City.objects.get().since == D(2015, 1, 1)

    Agreement.objects.create(city=city, kind=Kind.SISTER, signed_on=D(2020, 1, 1))
    renewed = City.objects.get()
    assert (renewed.current_kind, renewed.current_signed_on) == (Kind.SISTER, D(2020, 1, 1))
    assert renewed.since == D(2015, 1, 1)


def test_an_upgrade_signed_the_same_day_as_the_friendly_agreement_starts_on_that_day():
    city = kharkiv()
    Agreement.objects.create(city=city, kind=Kind.FRIENDLY, signed_on=D(2013, 8, 23))
    Agreement.objects.create(city=city, kind=Kind.SISTER, signed_on=D(2013, 8, 23))
    annotated = City.objects.get()
    assert (annotated.current_kind, annotated.since) == (Kind.SISTER, D(2013, 8, 23))


def test_a_partnership_re_established_after_a_gap_counts_from_its_new_signing():
    city = kharkiv()
    Agreement.objects.create(
        city=city,
        kind=Kind.SISTER,
        signed_on=D(1990, 5, 1),
        status=Status.ENDED,
        ended_on=D(1995, 5, 1),
    )
    Agreement.objects.create(city=city, kind=Kind.SISTER, signed_on=D(2020, 5, 1))
    Agreement.objects.create(city=city, kind=Kind.SISTER, signed_on=D(2024, 5, 1))
    annotated = City.objects.get()
    assert annotated.since == D(2020, 5, 1)
    assert annotated.years_of_partnership(today=D(2026, 5, 1)) == 6


def test_a_renewal_of_a_friendly_partner_keeps_its_first_friendly_date():
    city = kharkiv()
    for year in (2013, 2018, 2023):
        Agreement.objects.create(city=city, kind=Kind.FRIENDLY, signed_on=D(year, 8, 23))
    annotated = City.objects.get()
    assert annotated.since == D(2013, 8, 23)
    assert annotated.years_of_partnership(today=D(2026, 8, 22)) == 12
    assert annotated.years_of_partnership(today=D(2026, 8, 23)) == 13


def test_a_partner_whose_agreements_all_ended_has_no_current_relationship():
    city = kharkiv()
    Agreement.objects.create(
        city=city, kind=Kind.FRIENDLY, signed_on=D(2013, 8, 23), status=Status.ENDED
    )
    annotated = City.objects.get()
    assert (annotated.current_kind, annotated.since) == (None, None)
    assert annotated.years_of_partnership() is None


def test_the_database_refuses_two_current_agreements_for_one_city():
    city = kharkiv()
    Agreement.objects.create(city=city, kind=Kind.FRIENDLY, signed_on=D(2013, 8, 23))
    refused(
        lambda: Agreement.objects.bulk_create(
            [Agreement(city=city, kind=Kind.SISTER, signed_on=D(2020, 1, 1))]
        )
    )


def test_the_database_refuses_an_end_date_on_an_agreement_that_has_not_ended():
    city = kharkiv()
    refused(
        lambda: Agreement.objects.create(
            city=city, kind=Kind.FRIENDLY, signed_on=D(2013, 8, 23), ended_on=D(2014, 1, 1)
        )
    )


def test_the_database_refuses_an_agreement_that_ends_before_it_was_signed():
    city = kharkiv()
    refused(
        lambda: Agreement.objects.create(
            city=city,
            kind=Kind.FRIENDLY,
            signed_on=D(2013, 8, 23),
            status=Status.ENDED,
            ended_on=D(2013, 1, 1),
        )
    )


def test_a_backdated_current_agreement_is_refused_with_a_message_for_staff():
    city = kharkiv()
    Agreement.objects.create(city=city, kind=Kind.FRIENDLY, signed_on=D(2013, 8, 23))
    backdated = Agreement(city=city, kind=Kind.SISTER, signed_on=D(2010, 1, 1))
    with pytest.raises(ValidationError) as error:
        backdated.full_clean()
    assert "2013-08-23" in str(error.value.message_dict["signed_on"])


@pytest.mark.parametrize(
    "field, value",
    [
        ("latitude", Decimal("90.5")),
        ("latitude", Decimal("-91")),
        ("longitude", Decimal("180.1")),
        ("longitude", Decimal("-181")),
        ("population", 0),
        ("area_km2", Decimal("0")),
        ("area_km2", Decimal("-3.5")),
        ("population_year", 99),
    ],
)
def test_the_database_refuses_impossible_city_figures(field, value):
    refused(lambda: kharkiv(**{field: value}))


def test_the_database_refuses_a_duplicate_slug():
    kharkiv()
    refused(lambda: kharkiv(name_en="Kharkiv again"))


@pytest.mark.parametrize(
    "language, message",
    [
        ("ko", "위도는 -90에서 90 사이의 값이어야 합니다."),
        ("en", "Latitude must be between -90 and 90."),
    ],
)
def test_form_validation_reports_constraint_messages_in_the_staff_language(language, message):
    city = City(slug="x", name_en="X", name_ko="엑스", country=ukraine(), latitude=Decimal(91))
    with translation.override(language), pytest.raises(ValidationError) as error:
        city.full_clean()
    assert message in str(error.value)


def test_the_database_refuses_an_exchange_that_ends_before_it_starts_or_has_no_title():
    city = kharkiv()
    refused(
        lambda: Exchange.objects.create(
            field="culture",
            title_en="Visit",
            started_on=D(2020, 5, 1),
            ended_on=D(2020, 4, 1),
        )
    )
    refused(lambda: Exchange.objects.create(field="culture", started_on=D(2020, 5, 1)))
    assert not city.exchanges.exists()


def test_there_is_only_one_home_city_record():
    values = {"name_en": "Daejeon", "name_ko": "대전", "latitude": 36.35, "longitude": 127.38}
    HomeCity.objects.create(title_en="Partners", title_ko="자매도시", **values)
    HomeCity(title_en="Again", title_ko="다시", **values).save()
    assert HomeCity.objects.count() == 1
    assert HomeCity.load().title_en == "Again"
    refused(
        lambda: HomeCity.objects.bulk_create([HomeCity(id=2, title_en="t", title_ko="t", **values)])
    )


def test_a_country_with_partners_cannot_be_deleted():
    from django.db.models import ProtectedError

    kharkiv()
    with pytest.raises(ProtectedError):
        ukraine().delete()


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Hưng Yên", "hung yen"),
        ("KHARKIV", "kharkiv"),
        ("Đà Nẵng", "da nang"),
        ("하르키우", "하르키우"),
    ],
)
def test_search_folding_ignores_case_and_accents_but_keeps_hangul(text, folded):
    assert fold(text) == folded


def test_distance_from_the_home_city_is_the_great_circle_distance():
    # London Heathrow - New York JFK is 5,555 km (3,451 statute miles) great-circle.
    heathrow = HomeCity(latitude=Decimal("51.4700"), longitude=Decimal("-0.4543"))
    jfk = City(latitude=Decimal("40.6413"), longitude=Decimal("-73.7781"))
    assert jfk.distance_km(heathrow) == pytest.approx(5555, rel=0.005)
    assert City(latitude=None, longitude=None).distance_km(heathrow) is None


# The agreement rule's messages, each of which must be written once in the code.
AGREEMENT_RULE_MESSAGES = [
    "A new current agreement must be signed on or after the current one",
    "A different kind is a new agreement: give its signing date",
    "A new agreement cannot start as ended.",
    "This agreement has been replaced by a newer current agreement",
    "Add one current agreement at a time",
    "This partner already has a current agreement.",
    "This partner already has an agreement of this kind signed on this date.",
    "An agreement cannot be signed after today",
    "An agreement cannot end after today",
]


def string_constants() -> list[str]:
    """Every string literal of the portal's code (adjacent literals joined, as Python does)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    texts = []
    for path in [*root.glob("partners/**/*.py"), *root.glob("portal/*.py")]:
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        texts += [
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        ]
    return texts


@pytest.mark.parametrize("message", AGREEMENT_RULE_MESSAGES)
def test_each_message_of_the_agreement_rule_is_written_once_in_the_code(message):
    assert sum(message in text for text in string_constants()) == 1


def test_signing_with_the_loaded_current_agreement_does_not_look_it_up_again():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partners.models.derived import refresh_afterwards

    city = kharkiv()
    current = Agreement.objects.create(city=city, kind=Kind.FRIENDLY, signed_on=D(2013, 8, 23))
    # As the import calls it: the stored relationship is refreshed once after all its rows.
    with refresh_afterwards(), CaptureQueriesContext(connection) as queries:
        city.sign_agreement(Kind.SISTER, D(2020, 5, 1), current=current)
    assert not [q for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert list(city.agreements.order_by("signed_on").values_list("status", "ended_on")) == [
        (Status.ENDED, D(2020, 5, 1)),
        (Status.ACTIVE, None),
    ]


@pytest.mark.parametrize(
    ("kind", "signed_on", "status", "field"),
    [
        (Kind.SISTER, D(2010, 1, 1), None, "signed_on"),
        (Kind.FRIENDLY, D(2020, 1, 1), Status.ENDED, "status"),
    ],
)
def test_signing_a_backdated_or_already_ended_agreement_is_refused_and_writes_nothing(
    kind, signed_on, status, field
):
    city = kharkiv()
    Agreement.objects.create(city=city, kind=Kind.FRIENDLY, signed_on=D(2013, 8, 23))
    with pytest.raises(ValidationError) as error:
        city.sign_agreement(kind, signed_on, status)
    assert "2013-08-23" in " ".join(error.value.message_dict[field])
    assert list(city.agreements.values_list("signed_on", "status")) == [
        (D(2013, 8, 23), Status.ACTIVE)
    ]


def test_the_age_of_a_partnership_counts_by_the_portals_local_date(settings):
    from unittest import mock

    settings.TIME_ZONE = "Asia/Seoul"
    city = kharkiv()
    Agreement.objects.create(city=city, kind=Kind.SISTER, signed_on=D(2020, 5, 1))
    annotated = City.objects.get()
    # 15:30 UTC on 30 April is 00:30 on 1 May in Seoul: the tenth anniversary there.
    instant = datetime.datetime(2030, 4, 30, 15, 30, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=instant):
        assert annotated.years_of_partnership() == 10


@pytest.mark.parametrize(
    ("fields", "broken"),
    [
        ({"latitude": Decimal("90"), "longitude": Decimal("-180")}, []),
        ({"latitude": None, "population": None, "population_year": None}, []),
        ({"latitude": Decimal("-90.000001")}, ["latitude"]),
        ({"population": 0, "area_km2": Decimal("0.00")}, ["population", "area_km2"]),
        ({"population_year": 2201}, ["population_year"]),
    ],
)
def test_the_import_checks_agree_with_the_database_constraints(fields, broken):
    from partners.constraints import violated_checks

    city = City(name_en="Kharkiv", name_ko="하르키우", slug="kharkiv", country=ukraine(), **fields)
    assert sorted(name for name, _ in violated_checks(city, skip=set())) == sorted(broken)
    if broken:
        refused(city.save)
    else:
        city.save()


def test_an_upgrade_to_sister_keeps_counting_the_partnership_from_the_first_friendly_agreement():
    city = kharkiv()
    Agreement.objects.create(city=city, kind=Kind.FRIENDLY, signed_on=D(2001, 3, 1))
    city.sign_agreement(Kind.SISTER, D(2024, 3, 1))
    annotated = City.objects.get()
    assert (annotated.relationship_since, annotated.since) == (D(2001, 3, 1), D(2024, 3, 1))
    assert annotated.kind_changed
    assert annotated.years_of_partnership(today=D(2026, 3, 1)) == 25
