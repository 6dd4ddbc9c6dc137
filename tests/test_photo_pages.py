"""Photos and documents on the public pages, the media URLs and the JSON download."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import AgreementDocument, Photo
from tests.factories import make_agreement, make_city, make_home_city
from tests.media_files import jpeg, new_document, new_photo, saved

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def add_photo(city, number: int = 1, **fields) -> Photo:
    """Photo `number` of the city, numbered in its texts and placed by it."""
    values = {
        "alt_ko": f"시청 광장 사진 {number}",
        "alt_en": f"City hall square, picture {number}",
        "caption_ko": f"봄의 시청 {number}",
        "caption_en": f"City hall in spring {number}",
        "credit": "Seattle city office",
        "position": number,
    } | fields
    return saved(new_photo(city, jpeg((1600 + number, 1200)), f"photo{number}.jpg", **values))


def add_document(agreement, is_public: bool = True, **fields) -> AgreementDocument:
    return saved(new_document(agreement, is_public=is_public, language="ko", **fields))


@pytest.fixture
def seattle():
    city = make_city("Seattle", name_ko="시애틀")
    make_agreement(city, kind="sister", signed_on=datetime.date(1989, 10, 13))
    return city


def img_tags(page: str) -> list[str]:
    return re.findall(r"<img [^>]*>", page)


def attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\s{name}="([^"]*)"', tag)
    return found.group(1) if found else None


def test_the_partner_page_shows_its_photos_with_the_first_as_lead(client, seattle):
    for number in (2, 1, 3):
        add_photo(seattle, number)
    page = client.get("/en/partners/seattle/").content.decode()
    tags = img_tags(page)
    assert [attribute(tag, "alt") for tag in tags] == [
        "City hall square, picture 1",
        "City hall square, picture 2",
        "City hall square, picture 3",
    ]
    lead, *others = tags
    assert attribute(lead, "loading") is None
    assert all(attribute(tag, "loading") == "lazy" for tag in others)
    for tag in tags:
        assert attribute(tag, "width") and attribute(tag, "height")
        assert re.fullmatch(
            r"(/media/photos/\S+-\d+\.jpg \d+w, ){2}/media/\S+ \d+w", attribute(tag, "srcset")
        )
        assert attribute(tag, "sizes")
    assert page.count('<source type="image/webp"') == 3
    assert "City hall in spring 1" in page
    assert "Photo: Seattle city office" in page
    assert 'rel="license external">CC BY 4.0</a>' in page


def test_the_width_and_height_give_the_photos_shape(client, seattle):
    saved(new_photo(seattle, jpeg((3000, 1000)), "wide.jpg"))
    (tag,) = img_tags(client.get("/en/partners/seattle/").content.decode())
    assert (attribute(tag, "width"), attribute(tag, "height")) == ("1600", "533")


@pytest.mark.parametrize(
    ("size", "sizes"),
    [
        # Portrait: 32rem high makes it 24rem (384 CSS px) wide, so at 1x the 480 px file.
        ((1200, 1600), "(min-width: 24rem) 24rem, 100vw"),
        # Wide: the page's width limits it first.
        ((3200, 1000), "(min-width: 72rem) 70rem, 100vw"),
    ],
    ids=["portrait", "panorama"],
)
def test_the_lead_images_sizes_follow_its_shape_and_the_css_max_height(
    client, seattle, size, sizes
):
    saved(new_photo(seattle, jpeg(size), "lead.jpg"))
    page = client.get("/en/partners/seattle/").content.decode()
    (tag,) = img_tags(page)
    assert attribute(tag, "sizes") == sizes
    assert '<source type="image/webp" srcset="' in page and f'sizes="{sizes}"' in page


def test_the_home_citys_lead_photo_has_the_same_sizes_rule(client, db):
    make_home_city()
    saved(new_photo(None, jpeg((900, 1200)), "home.jpg"))
    (tag,) = img_tags(client.get("/en/").content.decode())
    assert attribute(tag, "sizes") == "(min-width: 24rem) 24rem, 100vw"


def test_the_korean_page_shows_korean_alt_text_and_caption(client, seattle):
    add_photo(seattle, 1)
    page = client.get("/ko/partners/seattle/").content.decode()
    assert attribute(img_tags(page)[0], "alt") == "시청 광장 사진 1"
    assert "봄의 시청 1" in page
    assert "사진: Seattle city office" in page


def test_unpublished_photos_are_not_shown(client, seattle):
    add_photo(seattle, 1, is_published=False)
    assert img_tags(client.get("/en/partners/seattle/").content.decode()) == []


def test_a_partner_without_photos_or_documents_shows_no_empty_sections(client, seattle):
    page = client.get("/en/partners/seattle/").content.decode()
    assert "<figure" not in page and "gallery" not in page
    assert "Agreement documents" not in page
    assert "Agreement history" in page


def test_public_documents_are_listed_under_the_agreement_history(client, seattle):
    agreement = seattle.agreements.get()
    public = add_document(agreement)
    add_document(agreement, is_public=False, title_en="Working notes")
    page = client.get("/en/partners/seattle/").content.decode()
    assert page.index("Agreement history") < page.index("Agreement documents")
    assert f'href="{public.get_absolute_url()}"' in page
    assert "Sister city agreement" in page and "Working notes" not in page
    assert f"PDF, Korean, {public.size}\xa0bytes" in page
    korean = client.get("/ko/partners/seattle/").content.decode()
    assert "자매결연 협정서" in korean and "한국어" in korean


def test_the_partner_page_runs_the_same_queries_with_10_photos_as_with_none(client, seattle):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get("/en/partners/seattle/").status_code == 200
        return len(context)

    without = queries()
    for number in range(10):
        add_photo(seattle, number)
    add_document(seattle.agreements.get())
    assert queries() == without


def test_the_home_page_shows_the_home_citys_photo(client, seattle):
    make_home_city()
    add_photo(seattle, 1)
    assert img_tags(client.get("/en/").content.decode()) == []
    add_photo(None, 2, alt_en="Expo Bridge over the Gapcheon at night")
    (tag,) = img_tags(client.get("/en/").content.decode())
    assert attribute(tag, "alt") == "Expo Bridge over the Gapcheon at night"
    assert attribute(tag, "loading") is None


def test_renditions_are_served_with_a_year_of_immutable_caching(client, seattle):
    photo = add_photo(seattle, 1)
    for rendition in photo.renditions:
        response = client.get(f"/media/{rendition['name']}")
        assert response.status_code == 200
        assert response["Content-Type"] == f"image/{rendition['format']}"
        assert "max-age=31536000" in response["Cache-Control"]
        assert "immutable" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"


def status(client, photo: Photo) -> set[int]:
    """The status codes of all the photo's rendition URLs."""
    return {client.get(f"/media/{r['name']}").status_code for r in photo.renditions}


def test_a_withdrawn_photo_is_no_longer_served_and_comes_back_when_republished(client, seattle):
    photo = add_photo(seattle, 1)
    assert status(client, photo) == {200}
    photo.is_published = False
    photo.save()
    assert status(client, photo) == {404}
    photo.is_published = True
    photo.save()
    assert status(client, photo) == {200}


def test_the_photos_of_an_unpublished_partner_are_not_served(client, seattle):
    photo = add_photo(seattle, 1)
    seattle.is_published = False
    seattle.save()
    assert status(client, photo) == {404}


def test_a_deleted_photo_is_not_served_though_its_files_stay_for_a_restore(
    client, seattle, media_root
):
    photo = add_photo(seattle, 1)
    Photo.objects.filter(pk=photo.pk).delete()
    assert status(client, photo) == {404}
    assert all((media_root / r["name"]).exists() for r in photo.renditions)


def test_a_home_city_photo_is_served_while_published(client, db):
    make_home_city()
    photo = add_photo(None, 1)
    assert status(client, photo) == {200}
    Photo.objects.filter(pk=photo.pk).update(is_published=False)
    assert status(client, photo) == {404}


def test_serving_a_rendition_takes_one_query(client, seattle, django_assert_num_queries):
    photo = add_photo(seattle, 1)
    with django_assert_num_queries(1):
        assert client.get(f"/media/{photo.renditions[-1]['name']}").status_code == 200


@pytest.mark.parametrize(
    "path", ["/media/photos/../documents/x.pdf", "/media/photos/x.svg", "/media/other.jpg"]
)
def test_nothing_but_photo_renditions_is_served_under_the_media_url(client, media_root, path):
    (media_root / "photos").mkdir(parents=True)
    (media_root / "photos" / "x.svg").write_text("<svg/>")
    (media_root / "other.jpg").write_bytes(b"x")
    assert client.get(path).status_code == 404


def test_the_json_download_lists_published_photos_and_public_documents(client, seattle):
    photo = add_photo(seattle, 1, taken_on=datetime.date(2024, 4, 5))
    add_photo(seattle, 2, is_published=False)
    document = add_document(seattle.agreements.get())
    add_document(seattle.agreements.get(), is_public=False)
    (row,) = json.loads(client.get("/data/partners.json").content)["partners"]
    (listed,) = row["photos"]
    assert listed["alt_en"] == "City hall square, picture 1"
    assert listed["alt_ko"] == "시청 광장 사진 1"
    assert listed["credit"] == "Seattle city office"
    assert listed["licence"] == "cc-by-4.0"
    assert listed["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert listed["taken_on"] == "2024-04-05"
    urls = {r["url"] for r in listed["renditions"]}
    assert urls == {f"http://testserver/media/{r['name']}" for r in photo.renditions}
    assert {(r["type"], r["width"]) for r in listed["renditions"]} == {
        ("image/jpeg", 480),
        ("image/webp", 480),
        ("image/jpeg", 960),
        ("image/webp", 960),
        ("image/jpeg", 1600),
        ("image/webp", 1600),
    }
    assert row["documents"] == [
        {
            "title_en": "Sister city agreement",
            "title_ko": "자매결연 협정서",
            "language": "ko",
            "size": document.size,
            "signed_on": "1989-10-13",
            "url": f"http://testserver{document.get_absolute_url()}",
        }
    ]


def test_the_csv_download_keeps_its_columns(client, seattle):
    add_photo(seattle, 1)
    header = client.get("/data/partners.csv").content.decode("utf-8-sig").splitlines()[0]
    assert "photos" not in header and header.startswith("slug,")


def test_a_changed_photo_changes_the_json_etag(client, seattle):
    photo = add_photo(seattle, 1)
    first = client.get("/data/partners.json")
    photo.alt_en = "Seattle City Hall"
    photo.save()
    again = client.get("/data/partners.json", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert b"Seattle City Hall" in again.content


@pytest.mark.parametrize(("language", "alt"), [("en", "City hall square"), ("ko", "시청 광장")])
def test_link_previews_show_the_home_city_photo_with_its_alt_text(client, seattle, language, alt):
    photo = add_photo(None, 1)
    for path in (f"/{language}/", f"/{language}/partners/", f"/{language}/partners/seattle/"):
        head = client.get(path).content.decode().split("</head>")[0]
        assert f'<meta property="og:image" content="http://testserver{photo.src}">' in head
        assert f'<meta property="og:image:alt" content="{alt}' in head
        assert '<meta name="twitter:card" content="summary_large_image">' in head


def test_purge_media_deletes_only_renditions_no_photo_or_version_refers_to(seattle, media_root):
    import reversion
    from django.core.management import call_command

    kept = add_photo(seattle, 1)
    with reversion.create_revision():
        restorable = add_photo(seattle, 2)
    forgotten = add_photo(seattle, 3)
    Photo.objects.filter(pk__in=[restorable.pk, forgotten.pk]).delete()

    def present(photo: Photo) -> set[bool]:
        return {(media_root / r["name"]).exists() for r in photo.renditions}

    call_command("purge_media", dry_run=True, verbosity=0)
    assert present(forgotten) == {True}
    call_command("purge_media", verbosity=0)
    assert present(kept) == {True} and present(restorable) == {True}
    assert present(forgotten) == {False}


def test_pages_read_the_home_citys_first_published_photo_as_the_orm_reads_it(rf, seattle):
    # The home city and its photo are read from SQL compiled once (models/compiled.py).
    from partners.context_processors import load_home_city, load_home_city_photo
    from partners.models import HomeCity

    home = make_home_city()
    add_photo(seattle, 1)
    assert load_home_city_photo(rf.get("/en/")) is None
    add_photo(None, 3, taken_on=datetime.date(2020, 5, 1))
    second = add_photo(None, 2, is_published=False)
    first = add_photo(None, 4)
    second.is_published = True
    second.save()
    photo = load_home_city_photo(rf.get("/en/"))
    expected = Photo.objects.published().of_home_city().first()
    assert photo.pk == expected.pk == second.pk
    fields = [field.attname for field in Photo._meta.concrete_fields]
    assert [getattr(photo, name) for name in fields] == [getattr(expected, name) for name in fields]
    assert isinstance(photo.renditions, list) and photo.renditions
    assert first.pk != photo.pk
    loaded = load_home_city(rf.get("/en/"))
    assert isinstance(loaded, HomeCity) and loaded.name_en == home.name_en
    HomeCity.objects.all().delete()
    assert load_home_city(rf.get("/en/")) is None
