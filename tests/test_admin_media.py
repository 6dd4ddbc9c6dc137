"""Staff add, reorder, remove and recover photos and documents on the partner's admin page."""

import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from reversion.models import Version

from partners.models import AgreementDocument, City, Photo
from partners.resources.import_history import record_import_history
from tests.factories import change_url, make_agreement, make_city, make_staff
from tests.media_files import EPS, jpeg, pdf, stored_files
from tests.test_admin import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def staff(client) -> User:
    user = make_staff("choi")
    client.force_login(user)
    return user


def photo_fields(number: int, data: bytes, name: str = "photo.jpg", position: int = 0) -> dict:
    file = io.BytesIO(data)
    file.name = name
    return {
        f"photos-{number}-image": file,
        f"photos-{number}-alt_ko": "하르키우 자유 광장",
        f"photos-{number}-alt_en": "Freedom Square in Kharkiv",
        f"photos-{number}-credit": "Kharkiv city council",
        f"photos-{number}-licence": "permission",
        f"photos-{number}-position": str(position),
        f"photos-{number}-is_published": "on",
    }


def post_partner(client, city: City, extra: dict, photos: int = 1, documents: int = 0):
    data = form_data(client.get(change_url(city)))
    data |= {"photos-TOTAL_FORMS": str(photos), "documents-TOTAL_FORMS": str(documents)}
    return client.post(change_url(city), data | extra)


def test_staff_add_a_photo_on_the_partner_page_and_see_its_thumbnail(client, staff, kharkiv):
    response = post_partner(client, kharkiv, photo_fields(0, jpeg((2000, 1500))))
    assert response.status_code == 302, response.context["errors"]
    photo = Photo.objects.get()
    assert photo.city == kharkiv and photo.width == 1600
    page = client.get(change_url(kharkiv)).content.decode()
    thumbnail = [r for r in photo.renditions if r["format"] == "webp" and r["width"] == 480]
    assert f'<img src="/media/{thumbnail[0]["name"]}" alt="' in page
    revision = Version.objects.get_for_object(kharkiv).first().revision
    assert {v.content_type.model for v in revision.version_set.all()} == {
        "city",
        "agreement",
        "photo",
    }


def test_a_hostile_file_in_the_admin_is_refused_in_korean_and_nothing_is_stored(
    client, staff, kharkiv, media_root
):
    response = post_partner(client, kharkiv, photo_fields(0, EPS, "ceremony.jpg"))
    assert response.status_code == 200
    assert "JPEG, PNG, WebP, HEIC 사진이 아닙니다" in response.content.decode()
    assert not Photo.objects.exists()
    assert stored_files(media_root) == []


def test_staff_reorder_photos_and_the_public_page_follows(client, staff, kharkiv):
    fields = photo_fields(0, jpeg(colour=(0, 0, 255)), position=1) | photo_fields(
        1, jpeg(colour=(0, 128, 0)), position=2
    )
    fields["photos-1-alt_en"] = "Kharkiv University"
    post_partner(client, kharkiv, fields, photos=2)
    data = form_data(client.get(change_url(kharkiv)))
    first, second = Photo.objects.order_by("position")
    for number in (0, 1):
        pk = int(data[f"photos-{number}-id"])
        data[f"photos-{number}-position"] = "5" if pk == first.pk else "1"
    assert client.post(change_url(kharkiv), data).status_code == 302
    page = client.get("/en/partners/kharkiv/").content.decode()
    assert page.index('alt="Kharkiv University"') < page.index('alt="Freedom Square in Kharkiv"')


def test_a_removed_photo_comes_back_when_staff_restore_the_earlier_version(client, staff, kharkiv):
    post_partner(client, kharkiv, photo_fields(0, jpeg()))
    photo = Photo.objects.get()
    data = form_data(client.get(change_url(kharkiv)))
    data["photos-0-DELETE"] = "on"
    assert client.post(change_url(kharkiv), data).status_code == 302
    assert not Photo.objects.exists()
    # No longer served, but its files stay, so the restored photo shows at once.
    assert client.get(f"/media/{photo.image.name}").status_code == 404
    assert photo.image.storage.exists(photo.image.name)

    with_photo = Version.objects.get_for_object(kharkiv)[1]
    url = reverse("admin:partners_city_revision", args=[kharkiv.pk, with_photo.pk])
    assert client.post(url, form_data(client.get(url))).status_code == 302
    restored = Photo.objects.get()
    assert restored.renditions == photo.renditions
    page = client.get("/en/partners/kharkiv/").content.decode()
    assert 'alt="Freedom Square in Kharkiv"' in page
    assert client.get(f"/media/{photo.image.name}").status_code == 200


def test_a_deleted_partner_is_recovered_with_its_photos_and_documents(
    client, admin_client, staff, kharkiv
):
    agreement = kharkiv.agreements.get()
    extra = photo_fields(0, jpeg()) | document_fields(0, agreement.pk, pdf())
    assert post_partner(client, kharkiv, extra, documents=1).status_code == 302
    admin_client.post(
        reverse("admin:partners_agreement_delete", args=[agreement.pk]), {"post": "yes"}
    )
    admin_client.post(reverse("admin:partners_city_delete", args=[kharkiv.pk]), {"post": "yes"})
    assert not Photo.objects.exists() and not AgreementDocument.objects.exists()

    deleted = Version.objects.get_deleted(City).get()
    url = reverse("admin:partners_city_recover", args=[deleted.pk])
    assert client.post(url, form_data(client.get(url))).status_code == 302
    assert Photo.objects.get().city.slug == "kharkiv"
    document = AgreementDocument.objects.get()
    assert client.get(document.get_absolute_url()).status_code == 200


def document_fields(number: int, agreement_pk: int, data: bytes, public: bool = True) -> dict:
    file = io.BytesIO(data)
    file.name = "scan.pdf"
    fields = {
        f"documents-{number}-agreement": str(agreement_pk),
        f"documents-{number}-file": file,
        f"documents-{number}-title_ko": "우호협력 협정서",
        f"documents-{number}-title_en": "Friendly cooperation agreement",
        f"documents-{number}-language": "mul",
    }
    if public:
        fields[f"documents-{number}-is_public"] = "on"
    return fields


def test_staff_attach_a_scan_to_one_of_the_partners_agreements(client, staff, kharkiv):
    other = make_agreement(make_city("Nice", country="FR"))
    response = client.get(change_url(kharkiv))
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is AgreementDocument
    )
    choices = list(formset.empty_form.fields["agreement"].queryset)
    assert choices == [kharkiv.agreements.get()] and other not in choices

    agreement = kharkiv.agreements.get()
    response = post_partner(
        client, kharkiv, document_fields(0, agreement.pk, pdf()), photos=0, documents=1
    )
    assert response.status_code == 302, response.context["errors"]
    document = AgreementDocument.objects.get()
    assert document.city == kharkiv and document.agreement == agreement
    page = client.get(change_url(kharkiv)).content.decode()
    # The stored file links to the download view, never to a media URL (which is a 404).
    assert f'<a href="{document.get_absolute_url()}">friendly-cooperation-agreement.pdf</a>' in page
    assert f"/media/{document.file.name}" not in page


def test_a_scan_with_javascript_is_refused_in_the_admin(client, staff, kharkiv, media_root):
    agreement = kharkiv.agreements.get()
    response = post_partner(
        client,
        kharkiv,
        document_fields(0, agreement.pk, pdf(javascript="app.alert(1)")),
        photos=0,
        documents=1,
    )
    assert response.status_code == 200
    assert "JavaScript, 첨부 파일, 다른 문서나 웹 주소로 가는 링크" in response.content.decode()
    assert not AgreementDocument.objects.exists()
    assert stored_files(media_root) == []


def test_an_import_revision_keeps_the_partners_photos(client, staff, kharkiv):
    post_partner(client, kharkiv, photo_fields(0, jpeg()))
    (revision,) = record_import_history([kharkiv.pk], staff, "partners.csv")
    assert "photo" in {v.content_type.model for v in revision.version_set.all()}
    revision.revert(delete=True)
    assert Photo.objects.count() == 1


def test_the_home_citys_photos_are_edited_in_the_photo_list(client, staff):
    response = client.get(reverse("admin:partners_photo_add"))
    assert response.status_code == 200
    data = {
        k.removeprefix("photos-0-"): v for k, v in photo_fields(0, jpeg(), "daejeon.jpg").items()
    }
    response = client.post(reverse("admin:partners_photo_add"), data)
    assert response.status_code == 302, response.context["errors"]
    assert Photo.objects.of_home_city().count() == 1
    changelist = client.get(reverse("admin:partners_photo_changelist")).content.decode()
    assert "하르키우 자유 광장" in changelist and "우리 시(첫 화면)" in changelist
