import datetime
import json

import pytest
import reversion
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from partners.models import Agreement, City, Country, Exchange, Kind
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
