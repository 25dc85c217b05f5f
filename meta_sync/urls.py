from django.urls import path

app_name = "meta_sync"

urlpatterns = []
