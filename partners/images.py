"""Uploaded photos: checked by content, re-encoded from pixels, renditions made once on save.

Nothing uploaded is stored as uploaded. A photo is opened with Pillow restricted to JPEG, PNG,
WebP and HEIF (phone photos, via pillow-heif), so no other decoder (EPS/Ghostscript, TIFF, SVG
…) ever sees a file; its size in bytes and pixels is checked before its pixels are decoded.
The pixels are turned upright by the EXIF orientation, converted to sRGB and written again
without any metadata (EXIF, GPS, XMP, comments, ICC), as WebP and JPEG at RENDITION_WIDTHS.
"""

import hashlib
import io
import re
from dataclasses import dataclass, field

import pillow_heif
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from .validators import validate_upload_size

pillow_heif.register_heif_opener()

# Formats Pillow may use to read an upload, decided by the file's content.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# Widths of the renditions, in CSS pixels at 1x; an image narrower than the widest keeps
# its own width as the widest rendition (never upscaled).
RENDITION_WIDTHS = (480, 960, 1600)
# Smaller or more elongated pictures cannot fill a gallery cell or the lead image.
MIN_SHORT_SIDE = 100
MAX_ASPECT = 10
JPEG_QUALITY = 82
WEBP_QUALITY = 80
MEDIA_TYPES = {"jpeg": "image/jpeg", "webp": "image/webp"}
# A rendition's storage name, as prepare_photo makes it: photos/<hash>-<width>.<ext>.
RENDITION_NAME = re.compile(r"photos/(?P<digest>[0-9a-f]{20})-[0-9]+\.(?:jpg|webp)")

_SRGB = ImageCms.createProfile("sRGB")
# Enough of a file's start to read its format, and an ftyp box's brands.
HEAD_BYTES = 64


# ISO base media files (ftyp box) are HEIF photos only with one of these brands; the same
# container also holds AVIF (whose brands include mif1 too), MP4 and QuickTime videos (an
# iPhone Live Photo's .mov), which are other formats, not damaged photos.
HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
AVIF_BRANDS = frozenset({b"avif", b"avis"})


def ftyp_brands(head: bytes) -> list[bytes] | None:
    """The major and compatible brands of an ISO base media file's leading ftyp box (from
    the first 64 bytes at least), or None when the file does not start with one."""
    if head[4:8] != b"ftyp":
        return None
    size = int.from_bytes(head[:4], "big")
    box = head[8 : min(max(size, 16), len(head))]
    return [box[0:4]] + [box[i : i + 4] for i in range(8, len(box) - 3, 4)]


def is_heif(head: bytes) -> bool:
    brands = ftyp_brands(head)
    return (
        bool(brands)
        and bool(HEIF_BRANDS.intersection(brands))
        and not (AVIF_BRANDS.intersection(brands))
    )


def looks_accepted(head: bytes) -> bool:
    """Whether the first bytes are those of an accepted format (JPEG, PNG, WebP, HEIF):
    such a file that Pillow cannot identify is damaged (a zero width, a cut-off header),
    not of another format, and staff should be told which."""
    return (
        head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"))
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
        or is_heif(head)
    )


@dataclass(frozen=True)
class Rendition:
    """One stored file of a photo: its storage name, format ("jpeg"/"webp") and size in px."""

    name: str
    format: str
    width: int
    height: int
    data: bytes = field(default=b"", repr=False, compare=False)

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "format": self.format,
            "width": self.width,
            "height": self.height,
        }


@dataclass(frozen=True)
class PreparedPhoto:
    """A checked, re-encoded photo ready to store: its renditions, widest JPEG first."""

    renditions: list[Rendition]

    @property
    def master(self) -> Rendition:
        return self.renditions[0]


def max_pixels() -> int:
    """PORTAL_MAX_IMAGE_PIXELS, read when checking so a deployment can change it."""
    return settings.PORTAL_MAX_IMAGE_PIXELS


def _refuse(message: str, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params)


NOT_AN_IMAGE = _(
    "This file is not a JPEG, PNG, WebP or HEIC photo (its content was checked, not its "
    "name). Other formats such as AVIF, GIF, TIFF, SVG or EPS, and videos (MP4, or the MOV "
    "of an iPhone Live Photo), are not accepted: save the picture as JPEG or PNG and upload "
    "it again."
)
DAMAGED = _(
    "This image is damaged or incomplete (perhaps cut short while copying) and cannot be "
    "read. Export it again from the original and upload the new file."
)


def open_checked(file: File) -> Image.Image:
    """The upload opened lazily by Pillow after every check that needs no pixel decoding.

    Raises ValidationError (messages for staff, in their language) for an empty file, a file
    over PORTAL_MAX_UPLOAD_BYTES (refused before Pillow reads it), content that is not one of
    ACCEPTED_FORMATS, a zero width or height, more than PORTAL_MAX_IMAGE_PIXELS pixels, a
    shorter side under MIN_SHORT_SIDE or sides more than MAX_ASPECT times apart.
    """
    if file.size == 0:
        raise _refuse(_("The file is empty (0 bytes)."), "empty")
    validate_upload_size(file)
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    # AVIF, MP4 and MOV share HEIF's container: refused as other formats before any decoder
    # (pillow-heif's would call them damaged).
    if ftyp_brands(head) is not None and not is_heif(head):
        raise _refuse(NOT_AN_IMAGE, "not_an_image")
    try:
        image = Image.open(file, formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError as error:
        if looks_accepted(head):
            raise _refuse(DAMAGED, "damaged") from error
        raise _refuse(NOT_AN_IMAGE, "not_an_image") from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels(None) from error
    # Pillow's own parsers raise many kinds of error on malformed headers.
    except Exception as error:
        raise _refuse(DAMAGED, "damaged") from error
    width, height = image.size
    if width == 0 or height == 0:
        raise _refuse(_("The image has no pixels (its width or height is 0)."), "empty_image")
    if width * height > max_pixels():
        raise _too_many_pixels(image.size)
    if min(width, height) < MIN_SHORT_SIDE:
        raise _refuse(
            _(
                "The image is %(width)d × %(height)d pixels, too small to show well: its "
                "shorter side must be at least %(minimum)d pixels. Upload a larger picture."
            ),
            "too_small",
            width=width,
            height=height,
            minimum=MIN_SHORT_SIDE,
        )
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise _refuse(
            _(
                "The image is %(width)d × %(height)d pixels, too narrow to show well: its "
                "longer side may be at most %(ratio)d times its shorter side. Crop it and "
                "upload it again."
            ),
            "too_narrow",
            width=width,
            height=height,
            ratio=MAX_ASPECT,
        )
    return image


def _too_many_pixels(size: tuple[int, int] | None) -> ValidationError:
    limit = f"{max_pixels() / 1_000_000:g}"
    if size is None:
        return _refuse(
            _("The image has too many pixels; at most %(limit)s megapixels are accepted."),
            "too_many_pixels",
            limit=limit,
        )
    return _refuse(
        _(
            "The image is %(width)d × %(height)d pixels (%(megapixels)s megapixels); at most "
            "%(limit)s megapixels are accepted. Make it smaller and upload it again."
        ),
        "too_many_pixels",
        width=size[0],
        height=size[1],
        megapixels=f"{size[0] * size[1] / 1_000_000:.1f}",
        limit=limit,
    )


def _decode_upright(image: Image.Image) -> Image.Image:
    """Decode at the smallest size that still gives RENDITION_WIDTHS[-1] px across once
    turned upright (JPEG can decode at 1/2, 1/4, 1/8 scale: less time and memory)."""
    orientation = image.getexif().get(0x0112, 1)
    turned = orientation in (5, 6, 7, 8)
    widest = RENDITION_WIDTHS[-1]
    image.draft("RGB", (1, widest) if turned else (widest, 1))
    try:
        image.load()
        return ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels(image.size) from error
    # A truncated or corrupt stream fails only here, while its pixels are decoded.
    except Exception as error:
        raise _refuse(DAMAGED, "damaged") from error


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB pixels in sRGB: an embedded ICC profile (CMYK print scans, Display P3 phone
    photos) is converted, transparency is flattened onto white, 16-bit and palette
    images are reduced to 8-bit RGB."""
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # A broken profile: fall back to the plain conversion below.
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("LA", "La", "PA", "RGBa"):
        image = image.convert("RGBA")
    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    # No exif=, icc_profile= or comment=: nothing of the upload's metadata is written.
    if fmt == "jpeg":
        image.save(out, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
    else:
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


def rendition_widths(width: int) -> list[int]:
    """Widths to render for an image `width` px wide, widest first, never wider than it."""
    return sorted({min(w, width) for w in RENDITION_WIDTHS}, reverse=True)


def prepare_photo(file: File, folder: str = "photos") -> PreparedPhoto:
    """Check an uploaded photo and re-encode it into its renditions, in memory.

    Returns the renditions (JPEG and WebP at each of rendition_widths(), widest JPEG
    first), named `<folder>/<hash>-<width>.<ext>` by a hash of the widest JPEG, so a changed
    image gets new names and stored files can be cached for ever. Raises ValidationError
    for any file open_checked refuses or whose pixels cannot be decoded; stores nothing.
    """
    image = open_checked(file)
    upright = _to_srgb(_decode_upright(image))
    upright.info = {}
    encoded = []
    source = upright
    for width in rendition_widths(upright.width):
        height = max(1, round(upright.height * width / upright.width))
        # Each size from the next larger one: cheaper than from the full image each time.
        resized = (
            source
            if width == source.width
            else source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        )
        source = resized
        for fmt in ("jpeg", "webp"):
            encoded.append((fmt, width, height, _encode(resized, fmt)))
    digest = hashlib.sha256(encoded[0][3]).hexdigest()[:20]
    extension = {"jpeg": "jpg", "webp": "webp"}
    renditions = [
        Rendition(f"{folder}/{digest}-{width}.{extension[fmt]}", fmt, width, height, data)
        for fmt, width, height, data in encoded
    ]
    return PreparedPhoto(renditions)
