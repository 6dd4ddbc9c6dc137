from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.decorators.http import require_safe

from partners import views, views_data, views_media
from partners.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.language_redirect, name="root"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
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
