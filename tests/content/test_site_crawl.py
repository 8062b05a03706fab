"""A visitor's walk through the demo site: every page a link leads to answers, in both languages,
with the site's navigation in place (each page's header and footer render it)."""

import pytest

from campaigns.models import Campaign
from signatories import counts
from signatories.models import Departement, Signature
from tests.content.crawl import crawl
from tests.factories import SignatureFactory

pytestmark = pytest.mark.django_db


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

    answered = crawl(client, ["/fr/", "/en/"], 150)

    failures = {path: status for path, status in answered.items() if status >= 400}
    assert not failures
    signatories = f"/fr/signataires/{campaign.slug}/"
    assert answered.get(signatories) == 200  # the public list, reached from the letter page
    assert any(path.startswith(f"{signatories}?") for path in answered)  # and its filters
    assert len(answered) > 20
