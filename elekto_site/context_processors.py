from django.conf import settings

import elekto_site


def github_login_enabled():
    """GitHub sign-in works only with an OAuth app: without its id GitHub answers with an error page."""
    return bool(settings.SOCIAL_AUTH_GITHUB_KEY and settings.SOCIAL_AUTH_GITHUB_SECRET)


def site(request):
    return {
        "dev_login_enabled": settings.DEBUG and settings.ELEKTO_DEV_LOGIN,
        "github_login_enabled": github_login_enabled(),
        "app_name": settings.APP_NAME,
        # The release, in the officers' admin footer (CHANGELOG.md says what each release changed).
        "site_version": elekto_site.__version__,
    }
