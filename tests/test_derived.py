"""The partner's stored relationship and search text never drift from what they derive from
(its agreements, names and country), whatever path writes them (models/derived.py). The
expected values are computed from scratch by tests/reference_relationship.py."""

import datetime
import io
import itertools
import json

import pytest
import reversion
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reversion.models import Version

from partners.models import Agreement, City, Country, Kind, Status
from partners.models.derived import DERIVED_FIELDS
from tests.factories import change_url, make_agreement, make_city
from tests.reference_relationship import drift
from tests.spreadsheets import CONFIRM_URL, IMPORT_URL, csv_bytes, make_countries, partner_row
from tests.test_admin import form_data

D = datetime.date
pytestmark = pytest.mark.django_db


def current(city: City) -> tuple:
    city.refresh_from_db()
    return city.current_kind, city.current_status, city.since, city.relationship_since


def test_an_agreement_saved_gives_its_partner_the_relationship():
    city = make_city("Kharkiv", country="UA")
    assert current(city) == (None, None, None, None)
    make_agreement(city, kind=Kind.FRIENDLY, signed_on=D(2013, 8, 23))
    assert current(city) == (Kind.FRIENDLY, Status.ACTIVE, D(2013, 8, 23), D(2013, 8, 23))
    assert drift() == []


def test_an_upgrade_restarts_since_but_keeps_the_start_of_the_relationship():
    city = make_city("Kharkiv", country="UA", kind=Kind.FRIENDLY, signed_on=D(2013, 8, 23))
    city.sign_agreement(Kind.SISTER, D(2020, 5, 1))
    assert current(city) == (Kind.SISTER, Status.ACTIVE, D(2020, 5, 1), D(2013, 8, 23))
    assert drift() == []


def test_deleting_the_current_agreement_leaves_no_current_relationship():
    city = make_city("Kharkiv", country="UA", kind=Kind.FRIENDLY)
    city.agreements.get().delete()
    assert current(city) == (None, None, None, None)
    assert drift() == []


def test_a_queryset_update_of_agreements_refreshes_their_partners():
    city = make_city("Kharkiv", country="UA", kind=Kind.FRIENDLY)
    Agreement.objects.filter(city=city).update(status=Status.SUSPENDED)
    assert current(city)[1] == Status.SUSPENDED


def test_a_renamed_partner_is_found_by_its_new_name_only():
    city = make_city("Kharkov", country="UA", kind=Kind.FRIENDLY)
    city.name_en = "Kharkiv"
    city.save()
    assert list(City.objects.search("kharkiv")) == [city]
    assert not City.objects.search("kharkov").exists()
    City.objects.filter(pk=city.pk).update(aliases="Charkow")
    assert list(City.objects.search("charkow")) == [city]


def test_a_renamed_country_is_in_its_partners_search_text():
    city = make_city("Kharkiv", country="UA")
    Country.objects.filter(iso_code="UA").update(name_en="Ukraina")  # no signal: not searched
    country = Country.objects.get(iso_code="UA")
    country.name_ko = "우크라이나공화국"
    country.save()
    assert list(City.objects.search("우크라이나공화국")) == [city]
    assert drift() == []


def test_the_admin_inline_agreement_refreshes_the_partner(admin_client, kharkiv):
    data = form_data(admin_client.get(change_url(kharkiv)))
    data |= {"agreements-1-kind": "sister", "agreements-1-signed_on": "2020-05-01"}
    assert admin_client.post(change_url(kharkiv), data).status_code == 302
    assert current(kharkiv) == (Kind.SISTER, Status.ACTIVE, D(2020, 5, 1), D(2013, 8, 23))
    assert drift() == []


def test_the_import_command_refreshes_new_and_updated_partners(tmp_path):
    make_countries()
    City.objects.create(
        slug="kharkiv", name_en="Kharkiv", country=Country.objects.get(iso_code="UA")
    )
    path = tmp_path / "partners.csv"
    rows = [
        partner_row(slug="kharkiv", kind="sister", signed_on="2020-05-01"),
        partner_row(slug="qingdao", name_en="Qingdao", name_ko="칭다오", country="CN"),
    ]
    path.write_bytes(csv_bytes(rows))
    call_command("import_partners", str(path), stdout=io.StringIO())
    assert current(City.objects.get(slug="kharkiv"))[:3] == (
        Kind.SISTER,
        Status.ACTIVE,
        D(2020, 5, 1),
    )
    assert current(City.objects.get(slug="qingdao"))[0] == Kind.FRIENDLY
    assert list(City.objects.search("칭다오").values_list("slug", flat=True)) == ["qingdao"]
    assert drift() == []


def test_the_admin_import_refreshes_the_partners(client):
    make_countries()
    client.force_login(User.objects.create_superuser("staff", "staff@example.com", "pw"))
    data = csv_bytes([partner_row(name_en="Brno", name_ko="브르노", country="CZ")])
    preview = client.post(
        IMPORT_URL, {"format": "0", "import_file": SimpleUploadedFile("p.csv", data)}
    )
    assert client.post(CONFIRM_URL, preview.context["confirm_form"].initial).status_code == 302
    assert current(City.objects.get())[:3] == (Kind.FRIENDLY, Status.ACTIVE, D(2013, 8, 23))
    assert drift() == []


def test_loaddata_of_the_demo_data_stores_every_relationship():
    call_command("load_demo_data", stdout=io.StringIO())
    assert City.objects.count() == 34
    assert City.objects.filter(current_kind__isnull=False).count() == 34
    assert drift() == []


def test_a_history_restore_recomputes_the_relationship(client, kharkiv):
    with reversion.create_revision():
        kharkiv.save()
    kharkiv.sign_agreement(Kind.SISTER, D(2020, 5, 1))
    admin = client
    admin.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
    before_upgrade = Version.objects.get_for_object(kharkiv).first()
    url = reverse("admin:partners_city_revision", args=[kharkiv.pk, before_upgrade.pk])
    assert admin.post(url, form_data(admin.get(url))).status_code == 302
    assert current(kharkiv) == (Kind.FRIENDLY, Status.ACTIVE, D(2013, 8, 23), D(2013, 8, 23))
    assert drift() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_made_before_the_values_were_stored_restores_with_them(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_city("Kharkiv", country="UA", kind=Kind.FRIENDLY, signed_on=D(2013, 8, 23))
    call_command("backup_data", output=str(tmp_path / "backup"), stdout=io.StringIO())
    data = tmp_path / "backup" / "data.json"
    rows = json.loads(data.read_text())
    for row in rows:
        if row["model"] == "partners.city":
            row["fields"] = {
                name: value for name, value in row["fields"].items() if name not in DERIVED_FIELDS
            }
    data.write_text(json.dumps(rows))
    call_command("flush", interactive=False, verbosity=0)
    call_command("restore_data", str(tmp_path / "backup"), stdout=io.StringIO())
    city = City.objects.get(slug="kharkiv")
    assert current(city) == (Kind.FRIENDLY, Status.ACTIVE, D(2013, 8, 23), D(2013, 8, 23))
    assert list(City.objects.search("kharkiv")) == [city]
    assert drift() == []


def test_generated_scale_data_has_every_relationship_stored():
    for code in ("CN", "DE", "US"):
        Country.objects.create(iso_code=code, name_en=code, name_ko=code, continent="asia")
    call_command("generate_scale_data", partners=150, exchanges=10, stdout=io.StringIO())
    assert City.objects.filter(search_text="").count() == 0
    assert drift() == []


# Random agreement histories: each step is an agreement (kind, days after the previous
# signing, how it ends: None = current, else days after its signing), applied through save()
# one by one, then one deleted; after every write the stored values equal the reference.
history = st.lists(
    st.tuples(
        st.sampled_from([Kind.SISTER, Kind.FRIENDLY]),
        st.integers(min_value=0, max_value=800),
        st.one_of(st.none(), st.integers(min_value=0, max_value=900)),
    ),
    min_size=1,
    max_size=5,
)
serial = itertools.count()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=history, suspended=st.booleans(), delete_at=st.integers(min_value=0, max_value=4))
def test_random_agreement_histories_never_drift(steps, suspended, delete_at):
    country = Country.objects.get_or_create(
        iso_code="UA",
        defaults={"name_en": "Ukraine", "name_ko": "우크라이나", "continent": "europe"},
    )[0]
    city = City.objects.create(slug=f"random-{next(serial)}", name_en="Random", country=country)
    signed_on, saved = D(1990, 1, 1), []
    for kind, gap, ends_after in steps:
        signed_on += datetime.timedelta(days=gap)
        if any(a.kind == kind and a.signed_on == signed_on for a in saved):
            continue
        # A current one ends the current one before it on save(), as in the admin.
        ended = ends_after is not None
        agreement = Agreement(city=city, kind=kind, signed_on=signed_on)
        if ended:
            agreement.status = Status.ENDED
            agreement.ended_on = signed_on + datetime.timedelta(days=ends_after or 0)
        elif suspended:
            agreement.status = Status.SUSPENDED
        agreement.save()
        saved.append(agreement)
        assert drift(City.objects.filter(pk=city.pk)) == []
    saved[delete_at % len(saved)].delete()
    assert drift(City.objects.filter(pk=city.pk)) == []
