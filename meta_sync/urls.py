from django.urls import path

from . import views

app_name = "meta_sync"

urlpatterns = [
    path("v1/webhooks/meta/sync", views.webhook_meta_sync, name="webhook_sync"),
]
