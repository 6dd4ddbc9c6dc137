from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path, re_path
from django.views.decorators.http import require_safe

from partners import views, views_data, views_media
from partners.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.language_redirect, name="root"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    # An index of sections of at most SECTION_SIZE addresses each (?p=2 … for more).
    path(
        "sitemap.xml",
        require_safe(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        require_safe(sitemaps.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path(
        "documents/<int:pk>/<str:filename>",
        views_media.document_download,
        name="document-download",
    ),
    re_path(
        r"^data/partners\.(?P<fmt>csv|xlsx|json)$", views_data.partners_download, name="open-data"
    ),
    re_path(
        r"^data/exchanges\.(?P<fmt>csv|xlsx|json)$",
        views_data.exchanges_download,
        name="open-data-exchanges",
    ),
]

urlpatterns += i18n_patterns(
    path("", include("partners.urls")),
    prefix_default_language=True,
)

# Photo renditions from the default storage (with S3, pages link to the bucket instead).
# Also in production: renditions are immutable, so a CDN or proxy caches them for a year.
urlpatterns.append(
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views_media.media_file, name="media")
)
