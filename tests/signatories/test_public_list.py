import pytest
from django.urls import reverse

from signatories.models import Signature
from tests.factories import SignatureFactory

pytestmark = pytest.mark.django_db


def get(client, campaign, **params):
    return client.get(reverse("signatories:public_list", args=[campaign.slug]), params)


def test_only_consenting_counted_signatures_are_listed(client, campaign):
    SignatureFactory(campaign=campaign, confirmed=True, last_name="Publique")
    SignatureFactory(campaign=campaign, confirmed=True, consent_public=False, last_name="Discrète")
    SignatureFactory(campaign=campaign, last_name="Enattente")
    SignatureFactory(campaign=campaign, flagged=True, last_name="Signalée")
    response = get(client, campaign)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Publique" in html
    for hidden in ("Discrète", "Enattente", "Signalée"):
        assert hidden not in html
    assert "@" not in html.split("<main", 1)[-1] or "example.org" not in html
    assert "public" in response["Cache-Control"]
    assert "csrftoken" not in response.cookies


def test_filters_search_and_grouping(client, campaign):
    SignatureFactory(
        campaign=campaign,
        confirmed=True,
        last_name="Martinez-Lyonnais",
        organisation_name="Médiathèque du Rhône",
    )
    SignatureFactory(
        campaign=campaign,
        confirmed=True,
        last_name="Bernard",
        departement__code="75",
        category=Signature.Category.PROFESSIONAL,
        title="Bibliothécaire",
    )
    SignatureFactory(campaign=campaign, verified=True, official=True, last_name="Maire-Vérifié")
    assert "Bernard" not in get(client, campaign, departement="69").content.decode()
    assert "Martinez-Lyonnais" in get(client, campaign, departement="69").content.decode()
    only_pros = get(client, campaign, category="professional").content.decode()
    assert "Bernard" in only_pros and "Martinez-Lyonnais" not in only_pros
    search = get(client, campaign, q="médiathèque").content.decode()
    assert "Martinez-Lyonnais" in search and "Bernard" not in search
    html = get(client, campaign).content.decode()
    assert (
        html.index("Maire-Vérifié") < html.index("Bernard") < html.index("Martinez-Lyonnais")
    )  # elected, pros, individuals
    assert "signatory__verified" in html
    # odd parameters are harmless
    assert (
        get(
            client, campaign, category="<script>", departement="zzzz", page="-3", q="x" * 500
        ).status_code
        == 200
    )


def test_pagination(client, campaign, settings):
    settings.SIGNATURES_PUBLIC_LIST_PAGE_SIZE = 2
    SignatureFactory.create_batch(5, campaign=campaign, confirmed=True)
    response = get(client, campaign, page=3)
    assert response.context["page_obj"].number == 3
    assert len(response.context["page_obj"].object_list) == 1
    assert 'rel="prev"' in response.content.decode()
