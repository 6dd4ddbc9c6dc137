from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner cities")

    def ready(self) -> None:
        import warnings

        from django.conf import settings
        from PIL import Image

        from . import signals

        signals.connect_data_version_receivers()

        # Pillow warns about a possible decompression bomb; here that refuses the image.
        Image.MAX_IMAGE_PIXELS = settings.PORTAL_MAX_IMAGE_PIXELS
        warnings.filterwarnings("error", category=Image.DecompressionBombWarning)
