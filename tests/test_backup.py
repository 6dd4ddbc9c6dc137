import datetime
import json

import pytest
import reversion
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Model
from reversion.models import Revision, Version

from partners.models import Agreement, City, Country, DataVersion, Exchange, Kind
from tests.factories import STAFF_GROUP

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def make_portal_data() -> None:
    staff = User.objects.create_user("lee", password="x", is_staff=True)
    staff.groups.add(Group.objects.get(name=STAFF_GROUP))
    ukraine = Country.objects.create(
        iso_code="UA", name_en="Ukraine", name_ko="우크라이나", continent="europe"
    )
    with reversion.create_revision():
        reversion.set_user(staff)
        city = City.objects.create(
            slug="kharkiv", name_en="Kharkiv", name_ko="하르키우", country=ukraine
        )
        Agreement.objects.create(
            city=city, kind=Kind.FRIENDLY, signed_on=datetime.date(2013, 8, 23)
        )
        exchange = Exchange.objects.create(
            field="culture", title_en="Art week", started_on=datetime.date(2019, 5, 1)
        )
        exchange.partners.add(city)


# A time with microseconds below the millisecond, which Django's JSON encoder would cut.
EXACT = datetime.datetime(2024, 5, 1, 0, 30, 15, 123456, tzinfo=datetime.UTC)


def every_row() -> dict[str, list[dict]]:
    """Every field of every row of every partners model (new ones included) and of the
    users, groups, history and admin log, as the database returns them."""
    # The data version is not data: a restore gives the restored rows a new one.
    models: list[type[Model]] = [
        *(m for m in apps.get_app_config("partners").get_models() if m is not DataVersion),
        User,
        Group,
        Revision,
        Version,
        LogEntry,
    ]
    # Content types are rebuilt by migrate with new ids; rows refer to them by natural key.
    content_types = {ct.pk: ct.natural_key() for ct in ContentType.objects.all()}
    rows = {}
    for model in models:
        type_fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is ContentType
        ]
        rows[model._meta.label] = [
            row | {name: content_types.get(row[name]) for name in type_fields}
            for row in model.objects.order_by("pk").values()
        ]
    return rows


def dump() -> str:
    from partners.management.commands.backup_data import EXCLUDED

    return call_command_output("dumpdata", natural_foreign=True, exclude=EXCLUDED, indent=1)


def call_command_output(*args, **kwargs) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def test_a_backup_restored_into_an_empty_database_has_identical_rows_and_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "photos").mkdir(parents=True)
    (settings.MEDIA_ROOT / "photos" / "kharkiv.jpg").write_bytes(b"\xff\xd8jpeg")
    make_portal_data()
    before = dump()

    call_command_output("backup_data", output=str(tmp_path / "backup"))
    call_command("flush", interactive=False, verbosity=0)
    (settings.MEDIA_ROOT / "photos" / "kharkiv.jpg").unlink()
    call_command_output("restore_data", str(tmp_path / "backup"))

    assert dump() == before
    rows = json.loads(before)
    models = {row["model"] for row in rows}
    assert {"partners.city", "partners.agreement", "reversion.version", "auth.user"} <= models
    assert (settings.MEDIA_ROOT / "photos" / "kharkiv.jpg").read_bytes() == b"\xff\xd8jpeg"
    city = City.objects.get(slug="kharkiv")
    version = reversion.models.Version.objects.get_for_object(city).get()
    assert version.revision.user.username == "lee"


def test_a_restored_backup_has_every_field_of_every_row_exact_to_the_microsecond(
    tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_portal_data()
    staff = User.objects.get(username="lee")
    LogEntry.objects.create(user=staff, action_flag=1, object_repr="Kharkiv")
    for model in apps.get_app_config("partners").get_models():
        stamps = [
            f.name for f in model._meta.concrete_fields if f.get_internal_type() == "DateTimeField"
        ]
        model.objects.update(**dict.fromkeys(stamps, EXACT))
    User.objects.update(date_joined=EXACT, last_login=EXACT)
    Revision.objects.update(date_created=EXACT)
    LogEntry.objects.update(action_time=EXACT)
    before = every_row()
    assert before["partners.City"][0]["updated_at"] == EXACT
    assert all(
        before[label] for label in ("partners.City", "partners.Agreement", "partners.Exchange")
    )

    call_command_output("backup_data", output=str(tmp_path / "backup"))
    call_command("flush", interactive=False, verbosity=0)
    call_command_output("restore_data", str(tmp_path / "backup"))

    assert every_row() == before


def test_backup_into_a_folder_that_exists_is_refused_and_writes_nothing_there(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    existing = tmp_path / "backup"
    existing.mkdir()
    (existing / "notes.txt").write_text("keep")
    with pytest.raises(CommandError, match="이미 있습니다"):
        call_command_output("backup_data", output=str(existing))
    assert [p.name for p in existing.iterdir()] == ["notes.txt"]


def test_a_packed_backup_restores_too(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_portal_data()
    before = dump()
    output = call_command_output("backup_data", output=str(tmp_path / "b"), archive=True)
    assert "b.tar.gz" in output
    call_command("flush", interactive=False, verbosity=0)
    call_command_output("restore_data", str(tmp_path / "b.tar.gz"))
    assert dump() == before


def test_restore_refuses_a_database_that_already_has_data(tmp_path, settings):
    from django.core.management.base import CommandError

    settings.MEDIA_ROOT = tmp_path / "media"
    make_portal_data()
    call_command_output("backup_data", output=str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="데이터베이스가 비어 있지 않습니다"):
        call_command_output("restore_data", str(tmp_path / "backup"))
    assert City.objects.count() == 1
