from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

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


@require_POST
def logout_view(request):
    logout(request)
    return redirect("elections:public_list")
