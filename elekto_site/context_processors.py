from django.conf import settings


def site(request):
    return {"dev_login_enabled": settings.DEBUG and settings.ELEKTO_DEV_LOGIN}
