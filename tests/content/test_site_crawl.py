"""A visitor's walk through the demo site: every page a link leads to answers, in both languages,
with the site's navigation in place (each page's header and footer render it)."""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from campaigns.models import Campaign
from signatories import counts
from signatories.models import Departement, Signature
from tests.factories import SignatureFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="([^"#]+)')
SKIP = ("/admin/", "/static/", "/media/", "/documents/", "/api/")


def internal_links(html, base):
    for href in LINK.findall(html):
        url = urljoin(base, href.replace("&amp;", "&"))
        parts = urlsplit(url)
        local = parts.scheme in ("", "http") and parts.netloc in ("", "testserver")
        if local and not parts.path.startswith(SKIP):
            yield parts.path + (f"?{parts.query}" if parts.query else "")


def test_every_page_a_visitor_can_reach_answers(client, demo):
    campaign = Campaign.objects.get()
    for category in Signature.Category.values:
        SignatureFactory(
            campaign=campaign,
            category=category,
            confirmed=True,
            departement=Departement.objects.get(code="69"),
        )
    counts.refresh_campaign(campaign)

    seen, queue = set(), deque(["/fr/", "/en/"])
    answered = {}
    while queue and len(seen) < 150:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        answered[path] = response.status_code
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            queue.extend(internal_links(response.content.decode(), path))

    failures = {path: status for path, status in answered.items() if status >= 400}
    assert not failures
    signatories = f"/fr/signataires/{campaign.slug}/"
    assert answered.get(signatories) == 200  # the public list, reached from the letter page
    assert any(path.startswith(f"{signatories}?") for path in answered)  # and its filters
    assert len(answered) > 20
