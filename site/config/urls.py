from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

# The language-prefixed site first: signing and page views, the busiest paths, resolve without
# trying every unprefixed pattern (none of which starts with a language code).
urlpatterns = i18n_patterns(
    path("", include("signatories.urls")),
    path("", include("content.urls_i18n")),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

urlpatterns += [
    path("admin/2fa/", include("campaigns.staff.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include("content.urls")),
    path("", include("signatories.urls_api")),
    path("", include("campaigns.urls")),
    path("", include("campaigns.mailchimp.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
