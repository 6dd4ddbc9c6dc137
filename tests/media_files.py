"""Photos and PDFs made in memory for the upload tests: ordinary, awkward and hostile."""

import datetime
import io
import struct
import zlib
from pathlib import Path

import pypdf
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageDraw
from pypdf.actions import JavaScript
from pypdf.annotations import Link
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from partners.models import AgreementDocument, Photo

RED, BLUE = (255, 0, 0), (0, 0, 255)


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(root: Path) -> list[Path]:
    """Every file under a media folder (none when it was never created)."""
    return [path for path in root.rglob("*") if path.is_file()]


def new_photo(city, data: bytes | None = None, name: str = "photo.jpg", **fields):
    """An unsaved photo of `city` (None: the home city) with every required text."""
    values = {
        "city": city,
        "image": upload(jpeg() if data is None else data, name),
        "alt_ko": "시청 앞 광장",
        "alt_en": "The square in front of city hall",
        "credit": "City office",
        "licence": "cc-by-4.0",
    } | fields
    return Photo(**values)


def new_document(agreement, data: bytes | None = None, is_public: bool = True, **fields):
    """An unsaved scan of `agreement`."""
    values = {
        "agreement": agreement,
        "file": upload(pdf() if data is None else data, "scan.pdf", "application/pdf"),
        "title_ko": "자매결연 협정서",
        "title_en": "Sister city agreement",
        "language": "mul",
        "is_public": is_public,
    } | fields
    return AgreementDocument(**values)


def saved(record):
    """The record validated as the admin does, then saved."""
    record.full_clean()
    record.save()
    return record


def jpeg(
    size: tuple[int, int] = (1200, 900),
    orientation: int | None = None,
    gps: bool = False,
    colour: tuple = BLUE,
    mode: str = "RGB",
) -> bytes:
    """A JPEG; left half red, the rest `colour`, so a turn shows in where the red ends up."""
    image = Image.new(mode, size, colour)
    if mode == "RGB":
        image.paste(RED, (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[ExifTags.Base.Make] = "PhoneMaker"
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps_ifd[ExifTags.GPS.GPSLatitude] = (36.0, 21.0, 1.44)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps_ifd[ExifTags.GPS.GPSLongitude] = (127.0, 23.0, 4.2)
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret-xmp</x:xmpmeta>' if gps else b""
    image.save(out, "JPEG", exif=exif, comment=b"secret-comment" if gps else b"", xmp=xmp)
    return out.getvalue()


def png(size: tuple[int, int] = (800, 600), mode: str = "RGB", colour=RED) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, "PNG")
    return out.getvalue()


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, RED).save(out, fmt)
    return out.getvalue()


def png_with_zero_width() -> bytes:
    """A PNG whose header says 0 × 10 pixels, with valid checksums."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 0, 10, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML_PAYLOAD = b"<html><script>alert(document.cookie)</script></html>"
EPS = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n%%EndComments\n"
    b"newpath 0 0 moveto 10 10 lineto stroke\nshowpage\n%%EOF\n"
)


def pdf(
    javascript: str | None = None,
    attachment: bytes | None = None,
    submit_to: str | None = None,
    link_to: str | None = None,
) -> bytes:
    """A one-page PDF; with a script run on opening, an attached file, a form submitted to
    `submit_to` on opening, or a link annotation to the web address `link_to`."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if javascript:
        writer.add_open_action(JavaScript(javascript))
    if attachment:
        writer.add_attachment("payload.exe", attachment)
    if submit_to:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {
                NameObject("/S"): NameObject("/SubmitForm"),
                NameObject("/F"): TextStringObject(submit_to),
            }
        )
    if link_to:
        writer.add_annotation(0, Link(rect=(50, 50, 200, 80), url=link_to))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scene(size: tuple[int, int], hue: int) -> bytes:
    """A photo-like JPEG: a sky gradient over a row of blocks, so a screenshot shows crops."""
    width, height = size
    sky = Image.linear_gradient("L").resize(size).point(lambda v: 120 + v // 2)
    image = Image.merge("RGB", (sky.point(lambda v: v // 2), sky.point(lambda v: v - hue), sky))
    draw = ImageDraw.Draw(image)
    for n in range(8):
        left = n * width // 8
        top = height // 2 + (n * 37 % 5) * height // 20
        draw.rectangle([left, top, left + width // 9, height], fill=(60 + hue, 70, 90 - n * 5))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def add_photos_and_a_document(city) -> None:
    """Four photos of different shapes and licences, and a public scan of its first
    agreement: a partner page with everything this feature shows."""
    shapes = [(2400, 1600), (1200, 1600), (1600, 900), (1000, 1000)]
    for number, size in enumerate(shapes):
        photo = new_photo(
            city,
            scene(size, 20 * number),
            f"photo{number}.jpg",
            alt_ko=f"{city.name_ko or city.name_en} 시가지 풍경 {number + 1}",
            alt_en=f"A street view of {city.name_en}, picture {number + 1}",
            caption_ko="시청 앞 광장과 주변 건물" if number == 0 else "",
            caption_en="The square in front of city hall" if number == 0 else "",
            credit="International Affairs Division",
            licence=["kogl-1", "cc-by-4.0", "permission", "cc0-1.0"][number],
            taken_on=datetime.date(2024, 5, 1) if number == 0 else None,
            position=number,
        )
        saved(photo)
    first = city.agreements.order_by("signed_on").first()
    saved(new_document(first, title_ko="결연 협정서", title_en="Signed agreement"))
