from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "accounts"

urlpatterns = [
    path("login", views.login_page, name="login"),
    path("login/dev", views.dev_login, name="dev_login"),
    path("logout", views.logout_view, name="logout"),
    path("signed-out", views.signed_out, name="signed_out"),
    # Elekto's sign-in button posted here; its sign-in page is this site's.
    path("oauth/github/login", RedirectView.as_view(pattern_name="accounts:login", permanent=True)),
]
