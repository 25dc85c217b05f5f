"""A URL that fails, for the error-page tests."""

from django.urls import path


def broken(request):
    raise RuntimeError("this page is broken on purpose")


urlpatterns = [path("broken", broken)]
