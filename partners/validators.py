import pypdf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject


@deconstructible
class MaxUploadSizeValidator:
    """Refuse a file larger than the limit named by a setting, read when validating.

    Use on model and form file fields: `validators=[MaxUploadSizeValidator()]` for photos
    and documents, `MaxUploadSizeValidator("PORTAL_MAX_IMPORT_FILE_BYTES")` for imports.
    Reading the setting late lets deployments change it by environment without migrations.
    """

    message = _("The file is %(size)s; files may be at most %(limit)s.")
    code = "file_too_large"

    def __init__(self, setting: str = "PORTAL_MAX_UPLOAD_BYTES") -> None:
        self.setting = setting

    @property
    def limit(self) -> int:
        return getattr(settings, self.setting)

    def __call__(self, file: File) -> None:
        if file is not None and file.size > self.limit:
            raise ValidationError(
                self.message,
                code=self.code,
                params=dict(zip(("size", "limit"), file_sizes(file.size, self.limit), strict=True)),
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaxUploadSizeValidator) and other.setting == self.setting


def byte_count(size: int) -> str:
    """`10,485,761 bytes`, grouped as the active language groups thousands."""
    return ngettext("%(count)s byte", "%(count)s bytes", size) % {
        "count": number_format(size, force_grouping=True)
    }


def file_sizes(*sizes: int) -> list[str]:
    """The sizes as people read them (`9.5 MB`), or in exact bytes when rounding would
    make two of them look the same (a file one byte over a 10 MB limit is not "10.0 MB;
    at most 10.0 MB")."""
    shown = [filesizeformat(size) for size in sizes]
    if len(set(shown)) < len(set(sizes)):
        return [byte_count(size) for size in sizes]
    return shown


validate_upload_size = MaxUploadSizeValidator()
validate_import_file_size = MaxUploadSizeValidator("PORTAL_MAX_IMPORT_FILE_BYTES")


# PDF names that make a reader run code, carry other files or contact a server: JavaScript
# actions, launching programs, embedded files and multimedia, XFA forms (scripted), and the
# actions that send form data, fetch data or open other documents or web addresses (a
# reader following them tells the server who opened the scan, and when).
PDF_ACTIVE_NAMES = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/URI",
    }
)


def pdf_active_content(reader: pypdf.PdfReader) -> set[str]:
    """The PDF_ACTIVE_NAMES used as keys or values anywhere in the document's object graph.

    Walks every object reachable from the trailer (what a reader can reach), without
    decoding stream data; names written with #-escapes (/J#53) are compared decoded.
    """
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for name, value in obj.items():
                if name in PDF_ACTIVE_NAMES:
                    found.add(str(name))
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
        elif isinstance(obj, NameObject) and obj in PDF_ACTIVE_NAMES:
            found.add(str(obj))
    return found


def validate_pdf(file: File) -> None:
    """Refuse anything but a readable, unencrypted PDF without PDF_ACTIVE_NAMES.

    Checked by content: the file must start with `%PDF-` and pypdf must parse it. Active
    content is refused rather than stripped, in every document, public or not: a signed
    scan never needs it, and rewriting the file would no longer be the scan that was signed.
    Raises ValidationError with a message for staff.
    """
    if file is None:
        return
    if file.size == 0:
        raise ValidationError(_("The file is empty (0 bytes)."), code="empty")
    file.seek(0)
    if file.read(5) != b"%PDF-":
        raise ValidationError(
            _("This file is not a PDF (its content was checked, not its name)."), code="not_pdf"
        )
    file.seek(0)
    try:
        reader = pypdf.PdfReader(file, strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _("This PDF is encrypted or password-protected. Save it without a password."),
                code="encrypted",
            )
        pages = len(reader.pages)
        active = pdf_active_content(reader)
    except ValidationError:
        raise
    # A parser fed a hostile file can fail in many ways; each means "cannot be read".
    except Exception as error:
        raise ValidationError(
            _("This PDF is damaged or incomplete and cannot be read."), code="damaged_pdf"
        ) from error
    finally:
        file.seek(0)
    if pages == 0:
        raise ValidationError(_("This PDF has no pages."), code="no_pages")
    if active:
        raise ValidationError(
            _(
                "This PDF contains JavaScript, attached files, links to other documents or "
                "web addresses, form submissions or other active content (%(names)s), which "
                "is not accepted. Scan the agreement again or print it "
                "to a new PDF, and upload that file."
            ),
            code="active_pdf",
            params={"names": ", ".join(sorted(active))},
        )
