import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from signatories import counts
from signatories.models import Signature, SignatureCount
from tests.factories import CampaignFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_refresh_aggregates_counted_signatures(campaign, run_tasks):
    SignatureFactory.create_batch(3, campaign=campaign, confirmed=True)
    SignatureFactory(campaign=campaign, verified=True, official=True, departement__code="75")
    SignatureFactory(
        campaign=campaign, confirmed=True, source=Signature.Source.PAPER, signatory=None
    )
    SignatureFactory(campaign=campaign)  # pending
    SignatureFactory(campaign=campaign, flagged=True)
    SignatureFactory(campaign=campaign, status=Signature.Status.WITHDRAWN)
    SignatureFactory(campaign=CampaignFactory(), confirmed=True)  # another campaign
    from signatories.tasks import refresh_counts

    refresh_counts.enqueue()
    run_tasks()
    summary = counts.get_counts(campaign)
    assert summary["total"] == 5
    assert summary["by_category"]["individual"] == 4
    assert summary["by_category"]["elected"] == 1
    assert summary["by_departement"] == {"69": 4, "75": 1}
    assert SignatureCount.objects.filter(campaign=campaign).count() == 2


def test_counts_read_without_touching_signatures(campaign, django_assert_max_num_queries):
    SignatureFactory.create_batch(2, campaign=campaign, confirmed=True)
    counts.refresh_campaign(campaign)
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        summary = counts.get_counts(campaign)
        counts.get_counts(campaign)
    assert summary["total"] == 2
    assert len(queries) == 1 and 'signatories_signature"' not in queries[0]["sql"].split("FROM")[1]


def test_counts_are_stale_until_the_periodic_refresh(campaign):
    counts.refresh_campaign(campaign)
    SignatureFactory(campaign=campaign, confirmed=True)
    assert counts.get_counts(campaign)["total"] == 0
    counts.refresh_counts()
    assert counts.get_counts(campaign)["total"] == 1


def test_json_endpoint_is_cacheable(client, campaign):
    SignatureFactory(campaign=campaign, confirmed=True)
    counts.refresh_campaign(campaign)
    response = client.get(f"/api/campaigns/{campaign.slug}/counts.json")
    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 1 and data["goal"] == 1000 and data["campaign"] == campaign.slug
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert "stale-while-revalidate" in response["Cache-Control"]
    assert client.get("/api/campaigns/nope/counts.json").status_code == 404


def test_counter_tag_shows_total_progress_and_milestones(campaign):
    campaign.milestones = "1, 500"
    campaign.save()
    SignatureFactory.create_batch(2, campaign=campaign, confirmed=True)
    counts.refresh_campaign(campaign)
    html = Template("{% load signatures %}{% signature_counter campaign %}").render(
        Context({"campaign": campaign})
    )
    assert "<strong>2</strong>" in html
    assert '<progress class="signature-counter__bar" max="1000" value="2"' in html
    assert "is-reached" in html


def test_sign_path_never_counts_rows(client, campaign, sign_data):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/fr/signer/{campaign.slug}/", sign_data())
    assert response.status_code == 303
    sqls = [q["sql"].upper() for q in queries]
    assert not any("COUNT(" in sql for sql in sqls)
    assert (
        len([s for s in sqls if not s.startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))]) <= 6
    ), sqls
