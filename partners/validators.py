from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


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
                params={"size": filesizeformat(file.size), "limit": filesizeformat(self.limit)},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaxUploadSizeValidator) and other.setting == self.setting


validate_upload_size = MaxUploadSizeValidator()
validate_import_file_size = MaxUploadSizeValidator("PORTAL_MAX_IMPORT_FILE_BYTES")
