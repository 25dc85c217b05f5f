from django.urls import include, path
from social_django import views as social_views

from accounts import views as accounts_views
from elections.admin import officer_admin_site

from . import views

handler500 = "elekto_site.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("i18n/catalog.js", views.javascript_catalog, name="javascript_catalog"),
    path("favicon.ico", views.favicon, name="favicon"),
    # The officers' admin: officers of current elections and operators, each scoped to their elections.
    path("admin/", officer_admin_site.urls),
    # Sign-in starts in a short-lived session; it completes at social-auth's path or at Elekto's callback path,
    # whichever the GitHub OAuth app names (GITHUB_REDIRECT).
    path("oauth/login/github/", accounts_views.github_begin),
    path("oauth/github/callback", social_views.complete, {"backend": "github"}, name="github_callback"),
    path("oauth/", include("social_django.urls", namespace="social")),
    path("", include("accounts.urls")),
    path("", include("meta_sync.urls")),
    path("app/elections/<str:key>/", include("elections.elekto_urls")),
    path("app/elections/<str:key>/admin/", include("elections.officer_urls")),
    path("", include("elections.urls")),
]
