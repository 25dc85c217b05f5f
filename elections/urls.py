from django.urls import path

from . import views

app_name = "elections"

urlpatterns = [
    path("elections", views.public_list, name="public_list"),
    path("elections/<str:key>", views.public_detail, name="public_detail"),
    path("app", views.dashboard, name="dashboard"),
]
