"""A backup restored elsewhere keeps the partners' photos and agreement documents."""

import datetime
import shutil
from pathlib import Path

import pytest
import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from partners.models import AgreementDocument, City, Photo
from tests.factories import make_agreement, make_city
from tests.media_files import jpeg, new_document, new_photo, saved, stored_files
from tests.test_backup import call_command_output, dump

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def fresh_content_types():
    # flush and restore give content types new ids; the next test must not see cached ones.
    yield
    ContentType.objects.clear_cache()


def test_a_backup_round_trip_keeps_photos_documents_and_their_files(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    with reversion.create_revision():
        city = make_city("Seattle", name_ko="시애틀")
        agreement = make_agreement(city, signed_on=datetime.date(1989, 10, 13))
        saved(new_photo(city, jpeg((1200, 900)), alt_en="Seattle City Hall"))
        saved(new_document(agreement))
    files = {
        path.relative_to(settings.MEDIA_ROOT): path.read_bytes()
        for path in stored_files(settings.MEDIA_ROOT)
    }
    assert len(files) == 7  # JPEG and WebP at 480, 960 and 1200 px, and the PDF
    before = dump()

    call_command_output("backup_data", output=str(tmp_path / "backup"), archive=True)
    shutil.rmtree(tmp_path / "backup")
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    call_command_output("restore_data", str(tmp_path / "backup.tar.gz"))

    assert dump() == before
    restored = {
        path.relative_to(settings.MEDIA_ROOT): path.read_bytes()
        for path in stored_files(settings.MEDIA_ROOT)
    }
    assert restored == files
    photo = Photo.objects.get()
    assert photo.city == City.objects.get(slug="seattle")
    page = client.get("/en/partners/seattle/").content.decode()
    assert 'alt="Seattle City Hall"' in page
    for rendition in photo.renditions:
        assert client.get(f"/media/{rendition['name']}").status_code == 200
    document = AgreementDocument.objects.get()
    download = client.get(document.get_absolute_url())
    assert b"".join(download.streaming_content) == files[Path(document.file.name)]
