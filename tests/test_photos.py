"""Photo uploads: every hostile or awkward file, and what is stored for a good one."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import ExifTags, Image

from partners.models import City, Photo
from tests import media_files
from tests.factories import make_city
from tests.media_files import (
    BLUE,
    EPS,
    HTML_PAYLOAD,
    RED,
    SVG_WITH_SCRIPT,
    image_bytes,
    jpeg,
    png,
    png_with_zero_width,
    saved,
    stored_files,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def new_photo(data: bytes, name: str = "photo.jpg", **fields) -> Photo:
    """An unsaved photo of Seattle."""
    city = City.objects.filter(slug="seattle").first() or make_city("Seattle")
    return media_files.new_photo(city, data, name, **fields)


def refusal(data: bytes, name: str = "photo.jpg", language: str = "en") -> list[str]:
    """The messages full_clean gives for the image, in the language, once checked that
    nothing was stored and no row written."""
    photo = new_photo(data, name)
    with translation.override(language):
        with pytest.raises(ValidationError) as caught:
            photo.full_clean()
            photo.save()
        messages = [str(message) for message in caught.value.message_dict["image"]]
    assert not Photo.objects.exists()
    return messages


def accepted(data: bytes, name: str = "photo.jpg") -> Photo:
    return Photo.objects.get(pk=saved(new_photo(data, name)).pk)


def opened(photo: Photo, fmt: str = "jpeg", width: int | None = None) -> Image.Image:
    names = [
        r["name"]
        for r in photo.renditions
        if r["format"] == fmt and (width is None or r["width"] == width)
    ]
    with photo.image.storage.open(names[0]) as file:
        return Image.open(io.BytesIO(file.read()))


# Hostile and awkward files: each refused with a clear message, nothing stored.


def test_an_svg_with_a_script_is_refused(media_root):
    messages = refusal(SVG_WITH_SCRIPT, "logo.svg")
    assert "not a JPEG, PNG, WebP or HEIC photo" in messages[0]
    assert stored_files(media_root) == []


def test_an_eps_renamed_jpg_is_refused_without_reaching_the_eps_decoder(media_root):
    # Pillow would read it as EPS (and run Ghostscript to decode it) if it were let.
    assert Image.open(io.BytesIO(EPS)).format == "EPS"
    messages = refusal(EPS, "ceremony.jpg")
    assert "not a JPEG, PNG, WebP or HEIC photo" in messages[0]
    assert stored_files(media_root) == []


@pytest.mark.parametrize("fmt", ["GIF", "TIFF", "BMP"])
def test_other_image_formats_are_refused_with_advice(media_root, fmt):
    messages = refusal(image_bytes(fmt), "photo.jpg")
    assert "save the picture as JPEG or PNG" in messages[0]
    assert stored_files(media_root) == []


def test_a_100_megapixel_png_of_a_few_kilobytes_is_refused_before_decoding(media_root):
    bomb = png((10_000, 10_000), mode="1", colour=0)
    assert len(bomb) < 50_000
    messages = refusal(bomb, "bomb.png")
    assert "too many pixels" in messages[0] or "100.0 megapixels" in messages[0]
    assert "at most 40 megapixels are accepted" in messages[0]
    assert stored_files(media_root) == []


def test_the_pixel_limit_follows_its_setting(settings):
    settings.PORTAL_MAX_IMAGE_PIXELS = 800 * 600 - 1
    assert "at most 0.479999 megapixels" in refusal(png((800, 600)))[0]
    settings.PORTAL_MAX_IMAGE_PIXELS = 800 * 600
    assert accepted(png((800, 600))).width == 800


def test_a_truncated_jpeg_is_refused(media_root):
    whole = jpeg((1200, 900))
    messages = refusal(whole[: len(whole) // 2], "cut.jpg")
    assert "damaged or incomplete" in messages[0]
    assert stored_files(media_root) == []


def test_an_empty_file_is_refused(media_root):
    assert refusal(b"", "empty.jpg") == ["The file is empty (0 bytes)."]
    assert stored_files(media_root) == []


def test_an_image_with_a_zero_width_is_refused(media_root):
    assert "damaged or incomplete" in refusal(png_with_zero_width(), "zero.png")[0]
    assert stored_files(media_root) == []


def test_a_file_one_byte_over_the_limit_is_refused_and_one_at_the_limit_accepted(
    settings, media_root
):
    data = jpeg((640, 480))
    settings.PORTAL_MAX_UPLOAD_BYTES = len(data) - 1
    messages = refusal(data)
    assert len(messages) == 1 and "files may be at most" in messages[0]
    assert stored_files(media_root) == []
    settings.PORTAL_MAX_UPLOAD_BYTES = len(data)
    assert accepted(data).width == 640


@pytest.mark.parametrize(
    ("size", "words"),
    [
        ((99, 400), "99 × 400 pixels, too small to show well"),
        ((400, 99), "shorter side must be at least 100 pixels"),
        ((1001, 100), "1001 × 100 pixels, too narrow to show well"),
        ((200, 2001), "at most 10 times its shorter side"),
    ],
)
def test_a_tiny_or_sliver_photo_is_refused(media_root, size, words):
    (message,) = refusal(png(size), "banner.png")
    assert words in message
    assert stored_files(media_root) == []


def test_a_photo_at_the_smallest_size_and_the_longest_shape_is_accepted():
    assert accepted(png((100, 1000))).height == 1000


def test_refusals_are_in_the_staff_members_language():
    assert refusal(b"", language="ko") == ["빈 파일입니다(0바이트)."]
    assert "JPEG, PNG, WebP, HEIC" in refusal(SVG_WITH_SCRIPT, language="ko")[0]


def test_a_save_from_the_shell_without_full_clean_refuses_too(media_root):
    photo = new_photo(EPS, "ceremony.jpg")
    with pytest.raises(ValidationError):
        photo.save()
    assert not Photo.objects.exists()
    assert stored_files(media_root) == []


def test_a_png_with_html_appended_is_stored_without_the_html(media_root):
    photo = accepted(png() + HTML_PAYLOAD, "polyglot.png")
    files = stored_files(media_root)
    assert len(files) == len(photo.renditions) == 4  # 800 px wide: 480 and 800, JPEG and WebP
    for path in files:
        assert b"<script" not in path.read_bytes()
        assert b"<html" not in path.read_bytes()


def test_a_jpeg_with_gps_exif_is_stored_without_any_metadata(media_root):
    original = jpeg(gps=True)
    assert b"secret-xmp" in original and b"secret-comment" in original
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    photo = accepted(original)
    for path in stored_files(media_root):
        data = path.read_bytes()
        image = Image.open(io.BytesIO(data))
        assert not image.getexif(), path.name
        assert "icc_profile" not in image.info and "comment" not in image.info
        for secret in (b"secret-xmp", b"secret-comment", b"PhoneMaker", b"Exif\x00", b"GPS"):
            assert secret not in data, (path.name, secret)
    assert photo.width == 1200


def test_a_jpeg_rotated_by_exif_is_stored_upright(media_root):
    # Stored 1200 × 900 with its left half red; orientation 6 means "turn 90° clockwise to
    # show", so upright it is 900 × 1200 with the red half on top.
    photo = accepted(jpeg((1200, 900), orientation=6))
    assert (photo.width, photo.height) == (900, 1200)
    image = opened(photo).convert("RGB")
    assert image.size == (900, 1200)
    top, bottom = image.getpixel((450, 100)), image.getpixel((450, 1100))
    assert top[0] > 200 and top[2] < 60, top
    assert bottom[2] > 200 and bottom[0] < 60, bottom


def test_a_cmyk_jpeg_is_stored_as_srgb(media_root):
    # C0 M100 Y100 K0 is print red.
    photo = accepted(jpeg((640, 480), mode="CMYK", colour=(0, 255, 255, 0)))
    for fmt in ("jpeg", "webp"):
        image = opened(photo, fmt)
        assert image.mode == "RGB"
        red, green, blue = image.getpixel((320, 240))
        assert red > 200 and green < 60 and blue < 60, (fmt, red, green, blue)


@pytest.mark.parametrize(
    ("mode", "colour"),
    [("P", 1), ("LA", (0, 0)), ("RGBA", (0, 0, 255, 0)), ("I;16", 65535), ("L", 0)],
)
def test_palette_grey_transparent_and_16_bit_pngs_become_rgb(mode, colour):
    photo = accepted(png((500, 400), mode=mode, colour=colour))
    image = opened(photo, "webp")
    assert image.mode == "RGB"
    if mode == "RGBA":  # fully transparent: flattened onto white, not black
        assert image.getpixel((10, 10)) == (255, 255, 255)
    if mode == "I;16":  # the brightest 16-bit grey stays white
        assert min(image.getpixel((10, 10))) > 250


def iso_media_header(major: bytes, *compatible: bytes) -> bytes:
    """The start of an ISO base media file: its ftyp box, then an empty media-data box."""
    ftyp = major + b"\0\0\0\0" + b"".join(compatible)
    return (8 + len(ftyp)).to_bytes(4, "big") + b"ftyp" + ftyp + b"\0\0\0\x08mdat"


def avif_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), BLUE).save(out, "AVIF")
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(avif_photo, id="avif-by-pillow"),
        pytest.param(lambda: iso_media_header(b"mp42", b"mp42", b"isom"), id="mp4"),
        pytest.param(lambda: iso_media_header(b"qt  ", b"qt  "), id="live-photo-mov"),
    ],
)
def test_avif_and_videos_are_refused_as_other_formats_not_as_damaged(media_root, data):
    # They share HEIF's container (AVIF even lists the HEIF brand mif1): telling staff to
    # "export it again" would never help.
    (message,) = refusal(data(), "IMG_0001.heic")
    assert message.startswith("This file is not a JPEG, PNG, WebP or HEIC photo")
    assert "AVIF" in message and "MOV" in message
    assert stored_files(media_root) == []


def test_a_cut_off_heic_is_still_called_damaged(media_root):
    (message,) = refusal(iso_media_header(b"heic", b"mif1", b"heic"), "cut.heic")
    assert "damaged or incomplete" in message


def test_a_heic_phone_photo_is_accepted_and_converted(media_root):
    out = io.BytesIO()
    Image.new("RGB", (1000, 750), BLUE).save(out, "HEIF")
    photo = accepted(out.getvalue(), "IMG_0001.HEIC")
    assert {r["format"] for r in photo.renditions} == {"jpeg", "webp"}
    assert not any(path.suffix.lower() in (".heic", ".heif") for path in stored_files(media_root))
    red, green, blue = opened(photo).getpixel((500, 375))
    assert blue > 200 and red < 60


# What a good upload becomes.


def test_renditions_are_webp_and_jpeg_at_480_960_and_1600_px_never_upscaled():
    big = accepted(jpeg((4000, 3000)))
    assert sorted((r["format"], r["width"], r["height"]) for r in big.renditions) == [
        ("jpeg", 480, 360),
        ("jpeg", 960, 720),
        ("jpeg", 1600, 1200),
        ("webp", 480, 360),
        ("webp", 960, 720),
        ("webp", 1600, 1200),
    ]
    for rendition in big.renditions:
        image = opened(big, rendition["format"], rendition["width"])
        assert image.format == {"jpeg": "JPEG", "webp": "WEBP"}[rendition["format"]]
        assert image.size == (rendition["width"], rendition["height"])
    small = accepted(jpeg((700, 500)))
    assert sorted({r["width"] for r in small.renditions}) == [480, 700]


def test_the_original_upload_is_not_kept(media_root):
    original = jpeg((2000, 1500), gps=True)
    accepted(original, "IMG_1234.jpg")
    names = [path.name for path in stored_files(media_root)]
    assert "IMG_1234.jpg" not in names
    assert all(path.read_bytes() != original for path in stored_files(media_root))
    assert max(Image.open(path).width for path in stored_files(media_root)) == 1600


def test_rendition_names_change_when_the_image_changes_and_not_otherwise():
    first = accepted(jpeg(colour=BLUE))
    same = accepted(jpeg(colour=BLUE))
    other = accepted(jpeg(colour=(0, 128, 0)))
    assert [r["name"] for r in first.renditions] == [r["name"] for r in same.renditions]
    assert not {r["name"] for r in first.renditions} & {r["name"] for r in other.renditions}
    first.image = upload(jpeg(colour=RED), "new.jpg")
    first.full_clean()
    first.save()
    assert first.image.name != same.image.name


def test_editing_a_photos_texts_keeps_its_files(media_root):
    photo = accepted(jpeg())
    before = sorted(stored_files(media_root))
    photo.caption_en = "City hall at dusk"
    photo.full_clean()
    photo.save()
    assert sorted(stored_files(media_root)) == before
    assert Photo.objects.get().renditions == photo.renditions


def test_alt_text_is_required_in_both_languages():
    photo = new_photo(jpeg(), alt_ko="", alt_en="")
    with pytest.raises(ValidationError) as caught:
        photo.full_clean()
    assert set(caught.value.message_dict) >= {"alt_ko", "alt_en"}
