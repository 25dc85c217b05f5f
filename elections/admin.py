"""The election officers' admin at /admin.

Officers sign in with GitHub like everyone else; ``OfficerAdminSite`` admits operators (active superusers)
and anyone who officers a current election, without ``is_staff`` or a password. Every ModelAdmin here shows
an officer only the rows of the elections they officer. What the meta repository owns (elections,
candidates, voter rolls, officers) is read-only: it changes in the repository, then a sync imports it.
Ballots and vote records are not registered at all: no admin page can join a voter to a ballot, and no
officer can peek at ballots before the count.
"""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from elections.access import is_operator, may_use_officer_admin, officer_election_ids
from elections.models import (
    AuditEvent,
    Ballot,
    BallotBox,
    Candidate,
    CountRecord,
    Election,
    EligibleVoter,
    ExceptionRequest,
    Officer,
    PassphraseAttempt,
    RollBinding,
    SealedBallot,
    VoteRecord,
)
from elections.officers.results import election_turnout
from elections.templatetags.elekto import utc_time
from elections.voting import exception_requests, services
from meta_sync.services import SyncBusy, sync_meta


class OfficerAdminSite(admin.AdminSite):
    # The catalogues name the site "Elekto" in these titles; APP_NAME takes its place in every language.
    @property
    def site_header(self):
        return _("Elekto election officers").replace("Elekto", settings.APP_NAME)

    @property
    def site_title(self):
        return _("Elekto officers").replace("Elekto", settings.APP_NAME)

    index_title = gettext_lazy("Your elections")
    index_template = "admin/elections/officer_index.html"
    # The app list beside every page would take a quarter of the width from the lists officers read.
    enable_nav_sidebar = False

    def has_permission(self, request):
        return request.user.is_active and may_use_officer_admin(request)

    def login(self, request, extra_context=None):
        """No admin password: signed-out users go to the site's (GitHub) sign-in and come back."""
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:index", current_app=self.name)
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")
        if self.has_permission(request):
            return redirect(target)
        return render(request, "elections/officer/not_an_officer.html", status=403)

    def password_change(self, request, extra_context=None):
        messages.info(request, _("Sign-in is through GitHub; this site keeps no passwords to change."))
        return redirect("admin:index")

    def get_urls(self):
        # Apps that register on Django's default site (auth, social auth, meta_sync) appear here too, under
        # their own checks: Django permissions, which only operators hold. Never the ballot tables.
        for model, model_admin in admin.site._registry.items():
            if model not in NEVER_IN_ADMIN and not self.is_registered(model):
                self.register(model, type(model_admin))
        return super().get_urls()

    def index(self, request, extra_context=None):
        elections = Election.objects.order_by("-start_datetime", "key")
        ids = officer_election_ids(request)
        if ids is not None:
            elections = elections.filter(pk__in=ids)
        context = {"officer_elections": elections, "now": timezone.now(), **(extra_context or {})}
        return super().index(request, extra_context=context)


officer_admin_site = OfficerAdminSite(name="admin")

# What was voted (sealed or opened), the ballot boxes' keys, who voted with the sealed link to it, and passphrase
# attempts: no admin page shows these rows.
NEVER_IN_ADMIN = {Ballot, SealedBallot, BallotBox, VoteRecord, PassphraseAttempt}


class ElectionScopedAdmin(admin.ModelAdmin):
    """Rows of the signed-in officer's elections only; read-only unless a subclass says otherwise.

    ``election_lookup`` is the path from the model to its Election.
    """

    election_lookup = "election"
    # Everything shown comes from elsewhere (the meta repository, voters, services): never edited here.
    actions = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = officer_election_ids(request)
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.election_lookup}__in": ids})

    def _in_scope(self, request, obj):
        ids = officer_election_ids(request)
        if ids is None or obj is None:
            return True
        election_id = obj.pk if self.election_lookup == "pk" else getattr(obj, f"{self.election_lookup}_id")
        return election_id in ids

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request) and self._in_scope(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FromMetaRepositoryAdmin(ElectionScopedAdmin):
    """Imported from the meta repository; the pages say where it changes."""

    change_list_template = "admin/elections/meta_change_list.html"
    change_form_template = "admin/elections/meta_change_form.html"

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"meta_repo": _public_repo(), **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {"meta_repo": _public_repo(), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)


def _public_repo():
    """META_REPO without any credentials written into its URL (https://token@host/...)."""
    parts = urlsplit(settings.META_REPO)
    if parts.scheme and "@" in parts.netloc:
        return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return settings.META_REPO


class StatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(status, Election.STATUS_LABELS[status]) for status in Election.STATUSES]

    def queryset(self, request, queryset):
        if self.value() in Election.STATUSES:
            return queryset.with_status(self.value())
        return queryset


def _count_of(model, **filters):
    rows = model.objects.filter(election=OuterRef("pk"), **filters).order_by().values("election")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


def _message_of(exc):
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


@admin.register(Election, site=officer_admin_site)
class ElectionAdmin(FromMetaRepositoryAdmin):
    election_lookup = "pk"
    # Few enough columns to show whole at 1280 px beside the filters; the key is on the election's page.
    list_display = ["name", "status_label", "voting", "turnout", "sync_state", "overview_link"]
    list_filter = [StatusFilter, "archived"]
    search_fields = ["name", "key"]
    actions = ["run_sync", "destroy_ballot_links"]
    exclude = ["content_hash"]

    def get_queryset(self, request):
        on_roll = EligibleVoter.objects.filter(election=OuterRef(OuterRef("pk"))).values("login")
        granted = ExceptionRequest.objects.filter(
            election=OuterRef("pk"), status=ExceptionRequest.APPROVED
        ).exclude(requester__username__in=on_roll)
        granted_count = Coalesce(Subquery(granted.order_by().values("election").annotate(n=Count("pk")).values("n"),
                                          output_field=IntegerField()), 0)
        # Counted as on the officers' page (elections.officers.results.election_turnout): the roll plus granted
        # exceptions; ballots loaded from a published ballots.csv stand for voters who voted.
        return super().get_queryset(request).annotate(
            eligible_count=_count_of(EligibleVoter) + granted_count, voted_count=_count_of(VoteRecord),
            ballot_count=_count_of(Ballot),
        )

    @admin.display(description=gettext_lazy("status"))
    def status_label(self, election):
        return _("archived") if election.archived else Election.STATUS_LABELS[election.status]

    @admin.display(description=gettext_lazy("voting"), ordering="start_datetime")
    def voting(self, election):
        return format_html("{}<br>{} {}", utc_time(election.start_datetime), _("to"), utc_time(election.end_datetime))

    @admin.display(description=gettext_lazy("voted / eligible"))
    def turnout(self, election):
        voted = election.voted_count
        loaded = not voted and election.ballot_count
        if loaded:
            voted = election.ballot_count
        percent = f" ({round(100 * voted / election.eligible_count)}%)" if election.eligible_count else ""
        return f"{voted} / {election.eligible_count}{percent}" + (", " + _("loaded") if loaded else "")

    @admin.display(description=gettext_lazy("last sync"))
    def sync_state(self, election):
        if election.sync_errors:
            count = len(election.sync_errors)
            return ngettext("%(count)s error", "%(count)s errors", count) % {"count": count}
        if election.sync_warnings:
            count = len(election.sync_warnings)
            return ngettext("%(count)s warning", "%(count)s warnings", count) % {"count": count}
        return pgettext("last sync", "ok") if election.synced_at else pgettext("last sync", "never")

    @admin.display(description=gettext_lazy("officer page"))
    def overview_link(self, election):
        return format_html('<a href="{}">{}</a>', reverse("officers:overview", args=[election.key]),
                           _("Turnout, requests, results"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        election = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if election is not None and self.has_view_permission(request, election):
            context["turnout"] = election_turnout(election)
            context["overview_url"] = reverse("officers:overview", args=[election.key])
        return super().change_view(request, object_id, form_url, context)

    def has_sync_permission(self, request):
        # A sync reads the whole repository, every election at once: an operator's job.
        return is_operator(request.user)

    @admin.action(description=gettext_lazy("Sync the meta repository now (all elections)"), permissions=["sync"])
    def run_sync(self, request, queryset):
        self._sync(request)

    def get_urls(self):
        sync = path("sync/", self.admin_site.admin_view(self.sync_view), name="elections_election_sync")
        return [sync, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        context = {"can_sync": self.has_sync_permission(request), **(extra_context or {})}
        return super().changelist_view(request, context)

    def sync_view(self, request):
        """The changelist's "Sync now" button: the same sync as the action, with no election to select."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_sync_permission(request):
            raise PermissionDenied(_("Only operators run a sync."))
        self._sync(request)
        return redirect("admin:elections_election_changelist")

    def _sync(self, request):
        try:
            summary = sync_meta(repo=settings.META_REPO or None, trigger="admin", actor=request.user.username)
        except SyncBusy:
            self.message_user(request, _("Another sync is running; try again in a minute."), messages.WARNING)
            return
        if summary.exit_code == 0:
            count = len(summary.elections)
            self.message_user(request, ngettext("Sync finished: %(count)s election read, no errors.",
                                                "Sync finished: %(count)s elections read, no errors.", count)
                              % {"count": count})
        else:
            problems = "; ".join(f"{e['path']}: {e['message']}" for e in summary.errors)
            self.message_user(request, _("Sync finished with errors: %(problems)s") % {"problems": problems},
                              messages.ERROR)

    def has_destroy_links_permission(self, request):
        # Officers may do it for their own elections (the queryset is scoped); it is what delete_after asks.
        return self.admin_site.has_permission(request)

    @admin.action(description=gettext_lazy("Destroy the voter-to-ballot links (completed delete_after elections)"),
                  permissions=["destroy_links"])
    def destroy_ballot_links(self, request, queryset):
        done = services.ballot_links_destroy(elections=queryset, actor=request.user.username)
        if not done:
            self.message_user(request, _("Nothing to destroy: links go only for completed elections with "
                                         "delete_after, once."), messages.WARNING)
        for election, records in done:
            self.message_user(request, ngettext("%(election)s: links of %(count)s vote record destroyed.",
                                                "%(election)s: links of %(count)s vote records destroyed.", records)
                              % {"election": election.name, "count": records})


@admin.register(Candidate, site=officer_admin_site)
class CandidateAdmin(FromMetaRepositoryAdmin):
    list_display = ["name", "candidate_id", "election", "withdrawn"]
    list_select_related = ["election"]
    list_filter = [("election", RelatedOnlyFieldListFilter), "withdrawn"]
    search_fields = ["name", "candidate_id"]


@admin.register(EligibleVoter, site=officer_admin_site)
class EligibleVoterAdmin(FromMetaRepositoryAdmin):
    list_display = ["login", "election"]
    list_select_related = ["election"]
    list_filter = [("election", RelatedOnlyFieldListFilter)]
    search_fields = ["login"]


@admin.register(Officer, site=officer_admin_site)
class OfficerAdmin(FromMetaRepositoryAdmin):
    list_display = ["login", "election"]
    list_select_related = ["election"]
    list_filter = [("election", RelatedOnlyFieldListFilter)]
    search_fields = ["login"]


@admin.register(ExceptionRequest, site=officer_admin_site)
class ExceptionRequestAdmin(ElectionScopedAdmin):
    list_display = ["requester_login", "name", "election", "status", "submitted_at", "reviewed_by", "reviewed_at"]
    list_select_related = ["election", "requester"]
    list_filter = ["status", ("election", RelatedOnlyFieldListFilter)]
    search_fields = ["name", "requester__username", "email", "chat_handle"]
    actions = ["approve", "deny"]
    change_form_template = "admin/elections/exceptionrequest/change_form.html"
    fields = ["election", "requester_login", "name", "email", "chat_handle", "contributions", "comments",
              "submitted_at", "status", "reviewed_by", "reviewed_at", "review_comment"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("GitHub login"), ordering="requester__username")
    def requester_login(self, request_row):
        return request_row.requester.username

    def has_review_permission(self, request):
        return self.admin_site.has_permission(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        row = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if row is not None and self.has_view_permission(request, row):
            context["review_url"] = reverse("officers:review_exception", args=[row.election.key, row.pk])
            context["review_open"] = row.election.status != Election.COMPLETED
        return super().change_view(request, object_id, form_url, context)

    @admin.action(description=gettext_lazy("Approve the selected requests (they may then vote)"),
                  permissions=["review"])
    def approve(self, request, queryset):
        return self._review(request, queryset, approve=True)

    @admin.action(description=gettext_lazy("Deny the selected requests"), permissions=["review"])
    def deny(self, request, queryset):
        return self._review(request, queryset, approve=False)

    def _review(self, request, queryset, *, approve):
        """First a page to confirm and write a comment; then the review of each request."""
        queryset = queryset.select_related("election", "requester")
        if "apply" not in request.POST:
            context = {
                **self.admin_site.each_context(request),
                "title": _("Approve exception requests") if approve else _("Deny exception requests"),
                "opts": self.model._meta,
                "requests": queryset,
                "approve": approve,
                "action": request.POST.get("action"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/elections/exceptionrequest/review_confirm.html", context)
        comment = request.POST.get("comment", "").strip()
        reviewed = 0
        for row in queryset:
            try:
                exception_requests.exception_request_review(request=row, reviewer=request.user, approve=approve,
                                                  comment=comment)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{row.requester.username}: {_message_of(exc)}", messages.ERROR)
            else:
                reviewed += 1
        if reviewed:
            if approve:
                done = ngettext("Approved %(count)s request.", "Approved %(count)s requests.", reviewed)
            else:
                done = ngettext("Denied %(count)s request.", "Denied %(count)s requests.", reviewed)
            self.message_user(request, done % {"count": reviewed})
        return None


@admin.register(AuditEvent, site=officer_admin_site)
class AuditEventAdmin(ElectionScopedAdmin):
    """The audit trail: readable by officers (their elections) and operators; nobody edits or deletes it."""

    list_display = ["at", "actor", "action", "election", "detail"]
    list_select_related = ["election"]
    list_filter = ["action", ("election", RelatedOnlyFieldListFilter)]
    search_fields = ["actor", "action"]
    fields = ["at", "actor", "action", "election", "detail"]
    readonly_fields = fields


@admin.register(RollBinding, site=officer_admin_site)
class RollBindingAdmin(ElectionScopedAdmin):
    """Which account each roll entry used by a ballot belongs to. Officers give an entry to another account on
    the election's officers' page (an audited decision), never here."""

    list_display = ["login", "voter", "github_id", "election"]
    list_select_related = ["election", "voter"]
    list_filter = [("election", RelatedOnlyFieldListFilter)]
    search_fields = ["login", "github_id"]
    fields = ["election", "login", "voter", "github_id"]
    readonly_fields = fields


@admin.register(CountRecord, site=officer_admin_site)
class CountRecordAdmin(ElectionScopedAdmin):
    """What each count used (elections.count_record): the one in force is the latest of its election."""

    list_display = ["election", "recorded_at", "cause", "decided_by"]
    list_select_related = ["election"]
    list_filter = ["cause", ("election", RelatedOnlyFieldListFilter)]
    fields = ["election", "recorded_at", "cause", "decided_by", "reason", "inputs"]
    readonly_fields = fields
