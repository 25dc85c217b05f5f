from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login", views.login_page, name="login"),
    path("login/dev", views.dev_login, name="dev_login"),
    path("logout", views.logout_view, name="logout"),
]
