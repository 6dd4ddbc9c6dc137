"""Serving media: photo renditions to everyone, agreement documents through a permission check."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from .images import RENDITION_NAME
from .models import AgreementDocument, Photo

# Only the renditions made on save (RENDITION_NAME) are public; documents/ never is.
PUBLIC_MEDIA_TYPES = {".jpg": "image/jpeg", ".webp": "image/webp"}
ONE_YEAR = 365 * 24 * 3600


@require_safe
def media_file(request: HttpRequest, path: str) -> FileResponse:
    """A stored photo rendition from the default storage, cacheable for a year, while it
    belongs to a photo a visitor may see (Photo.objects.public()).

    Rendition names carry a hash of their content, so a file at a given URL never changes
    (`immutable`). Anything else, or the renditions of an unpublished or deleted photo or of
    an unpublished partner's, is a 404 (the files stay, so a restored photo shows again).
    """
    suffix = path[path.rfind(".") :].lower()
    name = RENDITION_NAME.fullmatch(path)
    if name is None or not Photo.objects.public().with_hash(name["digest"]).exists():
        raise Http404
    try:
        file = default_storage.open(path, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(file, content_type=PUBLIC_MEDIA_TYPES[suffix])
    patch_cache_control(response, public=True, max_age=ONE_YEAR, immutable=True)
    return response


def may_read(request: HttpRequest, document: AgreementDocument) -> bool:
    """Everyone may read a public document of a published partner; staff with the view
    permission may read every document."""
    if document.is_public and document.city.is_published:
        return True
    return (
        request.user.is_active
        and request.user.is_staff
        and request.user.has_perm("partners.view_agreementdocument")
    )


@require_safe
def document_download(request: HttpRequest, pk: int, filename: str) -> FileResponse:
    """The document's PDF as an attachment (never shown inline: a PDF viewer in the page's
    origin would run with the site's cookies); to anyone else, other documents do not exist."""
    document = get_object_or_404(AgreementDocument.objects.select_related("city"), pk=pk)
    # A 404, as for a missing id: a login redirect or a 403 would tell anyone which ids
    # hold private documents. Staff open them from the admin, already logged in.
    if not may_read(request, document):
        raise Http404
    try:
        file = document.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(
        file, as_attachment=True, filename=document.download_name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    if not document.is_public:
        patch_cache_control(response, private=True, no_store=True)
    return response
