from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import Election


@require_safe
def public_list(request):
    elections = Election.objects.visible()
    return render(request, "elections/public_list.html", {"elections": elections})


@require_safe
def public_detail(request, key):
    election = get_object_or_404(Election.objects.visible(), key=key)
    return render(request, "elections/public_detail.html", {"election": election})


@login_required
@require_safe
def dashboard(request):
    return render(request, "elections/dashboard.html", {"running": Election.objects.visible().running()})
