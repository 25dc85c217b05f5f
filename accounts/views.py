from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from social_django import views as social_views

from .github import is_valid_login, normalize_login


def safe_next(request, default="/app"):
    """The ``next`` target when it stays on this site, else ``default`` (no open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def dev_login_enabled():
    return settings.DEBUG and settings.ELEKTO_DEV_LOGIN


@require_safe
def login_page(request):
    return render(request, "accounts/login.html", {"next": safe_next(request)})


@require_POST
def dev_login(request):
    """Sign in as any GitHub login without GitHub: only with DEBUG and ELEKTO_DEV_LOGIN both on."""
    if not dev_login_enabled():
        raise Http404("The development login is disabled.")
    username = normalize_login(request.POST.get("username", ""))
    if not is_valid_login(username):
        return render(
            request,
            "accounts/login.html",
            {"next": safe_next(request), "error": gettext("Enter a GitHub login: letters, digits and hyphens.")},
            status=400,
        )
    user, _ = get_user_model().objects.get_or_create(username=username)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(safe_next(request))


# Seconds a sign-in started without finishing keeps its session row: GitHub's authorisation codes expire in ten
# minutes, so an abandoned start is cleared by the next clearsessions instead of staying for two weeks.
SIGN_IN_START_SECONDS = 600


@never_cache
@require_POST
def github_begin(request):
    """Start GitHub sign-in (social-auth's begin view), in a session that expires with the attempt.

    Signing in replaces whoever is signed in on this browser, so a GitHub account is never attached to another
    user's session. A completed sign-in gets a new session of the usual length (social-auth logs the user in
    with the default expiry)."""
    if request.user.is_authenticated:
        logout(request)
    request.session.set_expiry(SIGN_IN_START_SECONDS)
    return social_views.auth(request, "github")


def _signed_out(request):
    """The answer to signing out: it clears the browser's cookies for this site, so that a ranking under review
    or a receipt just shown (each election's vote pages have cookies of their own) does not wait there for the
    next person. The language chosen with the switcher goes along to the next page, which sets it again (a
    cookie set with the clearing would be cleared with the others)."""
    target = reverse("elections:public_list")
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if language in dict(settings.LANGUAGES):
        target = f"{reverse('accounts:signed_out')}?{urlencode({'language': language})}"
    response = redirect(target)
    response["Clear-Site-Data"] = '"cookies"'
    return response


@require_safe
def signed_out(request):
    """After signing out: the language the visitor had chosen, set again, and the list of elections."""
    response = redirect("elections:public_list")
    language = request.GET.get("language")
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def logout_view(request):
    """GET asks for confirmation (one button, as Elekto's ``GET /logout`` link leads here); POST signs out."""
    if request.method == "POST":
        logout(request)
        return _signed_out(request)
    if not request.user.is_authenticated:
        return redirect("elections:public_list")
    return render(request, "accounts/logout.html")
