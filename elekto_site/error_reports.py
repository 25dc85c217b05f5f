"""What Django's error reports (the debug page, a report built for an unhandled exception) may show."""

from django.views.debug import SafeExceptionReporterFilter


class ErrorReportFilter(SafeExceptionReporterFilter):
    """Django's filter, hiding every cookie's value as well as the Cookie header's: besides the session and CSRF
    cookies, the voting pages' cookies carry a ballot's ranks and receipt (``elections.voting.ballot_cookies``)."""

    def get_safe_cookies(self, request):
        return {name: self.cleansed_substitute for name in getattr(request, "COOKIES", {})}

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        if "HTTP_COOKIE" in meta:
            meta["HTTP_COOKIE"] = self.cleansed_substitute
        return meta
