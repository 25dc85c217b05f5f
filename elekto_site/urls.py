from django.urls import include, path

from elections.admin import officer_admin_site

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    # The officers' admin: officers of current elections and operators, each scoped to their elections.
    path("admin/", officer_admin_site.urls),
    path("oauth/", include("social_django.urls", namespace="social")),
    path("", include("accounts.urls")),
    path("", include("meta_sync.urls")),
    path("app/elections/<str:key>/admin/", include("elections.officer_urls")),
    path("", include("elections.urls")),
]
