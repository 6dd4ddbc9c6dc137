"""Agreement documents: only clean PDFs are stored; private ones reach only staff."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from partners.models import AgreementDocument
from tests.factories import make_agreement, make_city, make_staff
from tests.media_files import EPS, jpeg, new_document, pdf, saved, stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def agreement():
    city = make_city("Seattle", name_ko="시애틀")
    return make_agreement(city, kind="sister", signed_on=datetime.date(1989, 10, 13))


def refusal(agreement, data: bytes, media_root: Path, is_public: bool = True) -> str:
    document = new_document(agreement, data, is_public)
    with pytest.raises(ValidationError) as caught:
        document.full_clean()
    with pytest.raises(ValidationError):
        document.save()  # the shell's way, without full_clean
    assert not AgreementDocument.objects.exists()
    assert stored_files(media_root) == []
    with translation.override("en"):
        return " ".join(caught.value.message_dict["file"])


def test_a_pdf_with_javascript_as_a_public_document_is_refused(agreement, media_root):
    message = refusal(agreement, pdf(javascript="app.alert('hi')"), media_root)
    assert "contains JavaScript, attached files, links to other documents or web" in message
    assert "/JavaScript" in message


def test_a_pdf_with_javascript_is_refused_as_a_staff_only_document_too(agreement, media_root):
    # Refused everywhere: ticking "public" later must not publish a scripted file.
    assert "JavaScript" in refusal(agreement, pdf(javascript="app.alert(1)"), media_root, False)


def test_a_pdf_with_an_embedded_file_is_refused(agreement, media_root):
    assert "/EmbeddedFile" in refusal(agreement, pdf(attachment=b"MZ\x90\x00"), media_root)


def test_a_pdf_that_submits_a_form_on_opening_is_refused(agreement, media_root):
    # Opening it would send a request to the server: who read the scan, and when.
    data = pdf(submit_to="https://collector.example/track")
    assert "/SubmitForm" in refusal(agreement, data, media_root)


def test_a_pdf_with_a_web_link_is_refused(agreement, media_root):
    assert "/URI" in refusal(agreement, pdf(link_to="https://example.com/"), media_root, False)


def test_javascript_hidden_behind_a_name_escape_is_found(agreement, media_root):
    # /J#53 is the name /JS written with a hex escape; readers treat them as the same.
    data = pdf(javascript="app.alert(1)").replace(b"/JS ", b"/J#53 ")
    assert b"/J#53" in data
    assert "/JS" in refusal(agreement, data, media_root)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (EPS, "not a PDF"),
        (jpeg((64, 48)), "not a PDF"),
        (b"%PDF-1.7\n" + b"\x00garbage" * 20, "damaged or incomplete"),
    ],
    ids=["empty", "eps", "jpeg-named-pdf", "corrupt"],
)
def test_what_is_not_a_readable_pdf_is_refused(agreement, media_root, data, words):
    assert words in refusal(agreement, data, media_root)


def test_a_truncated_pdf_is_refused(agreement, media_root):
    whole = pdf()
    assert "damaged or incomplete" in refusal(agreement, whole[: len(whole) // 3], media_root)


def test_a_document_one_byte_over_the_limit_is_refused(agreement, media_root, settings):
    data = pdf()
    settings.PORTAL_MAX_UPLOAD_BYTES = len(data) - 1
    assert "files may be at most" in refusal(agreement, data, media_root)


def test_a_clean_pdf_is_stored_under_an_unguessable_name_with_its_size(agreement, media_root):
    data = pdf()
    document = saved(new_document(agreement, data))
    assert document.city == agreement.city
    assert document.size == len(data)
    (path,) = stored_files(media_root)
    assert path.read_bytes() == data
    assert path.parent.name == "documents" and "agreement" not in path.name


@pytest.fixture
def documents(agreement):
    public = saved(new_document(agreement))
    private = saved(new_document(agreement, is_public=False, title_en="Working notes"))
    return public, private


def test_a_public_document_downloads_as_an_attachment_with_nosniff(client, documents):
    public, _private = documents
    response = client.get(public.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="sister-city-agreement.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_staff_only_document_is_not_found_by_visitors_and_served_to_staff(client, documents):
    _public, private = documents
    # The same answer as for an id that does not exist: nothing tells a private one apart.
    assert client.get(private.get_absolute_url()).status_code == 404
    assert client.get(f"/documents/{private.pk + 100}/x.pdf").status_code == 404
    client.force_login(make_staff())
    response = client.get(private.get_absolute_url())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_logged_in_user_without_the_permission_gets_404(client, documents, django_user_model):
    _public, private = documents
    client.force_login(django_user_model.objects.create_user("guest", is_staff=True))
    assert client.get(private.get_absolute_url()).status_code == 404


def test_a_public_document_of_an_unpublished_partner_is_not_public(client, documents):
    public, _private = documents
    public.city.is_published = False
    public.city.save()
    assert client.get(public.get_absolute_url()).status_code == 404


def test_no_document_is_reachable_under_the_media_url(client, documents):
    for document in documents:
        assert client.get(f"/media/{document.file.name}").status_code == 404
