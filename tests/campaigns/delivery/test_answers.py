import pytest
from django.template import Context, Template
from django.urls import reverse

from campaigns.delivery.models import Target, TargetAnswer
from tests.factories import CampaignFactory, TargetAnswerFactory, TargetFactory

pytestmark = pytest.mark.django_db


def render(campaign):
    return Template("{% load campaign_answers %}{% campaign_answers campaign %}").render(
        Context({"campaign": campaign})
    )


def test_published_answers_are_shown_escaped():
    campaign = CampaignFactory()
    TargetAnswerFactory(
        campaign=campaign,
        target=TargetFactory(name="Ministère <b>de la Culture</b>"),
        text="Nous <i>soutenons</i>.",
    )
    TargetAnswerFactory(campaign=campaign, position="disagree", text="Hors sujet")
    TargetAnswerFactory(campaign=campaign, published=False, text="Brouillon")
    TargetAnswerFactory(text="Autre campagne")
    html = render(campaign)
    assert "Ministère &lt;b&gt;de la Culture&lt;/b&gt;" in html
    assert "Nous &lt;i&gt;soutenons&lt;/i&gt;." in html
    assert "Hors sujet" in html
    assert "Brouillon" not in html and "Autre campagne" not in html
    assert html.index("soutenons") < html.index("Hors sujet")  # agreeing answers first


def test_no_answers_renders_nothing():
    assert render(CampaignFactory()).strip() == ""
    assert render(None) == ""


def test_staff_record_an_answer_in_the_admin(client, admin_user):
    campaign, target = CampaignFactory(), TargetFactory()
    client.force_login(admin_user)
    url = reverse("wagtailsnippets_delivery_targetanswer:add")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "target": target.pk,
            "campaign": campaign.pk,
            "position": "agree",
            "text": "Oui.",
            "answered_on": "2026-11-20",
            "published": "on",
        },
    )
    assert response.status_code == 302
    answer = TargetAnswer.objects.get()
    assert answer.recorded_by == admin_user and answer.published


def test_admin_listings(client, admin_user):
    TargetFactory(name="Association des maires de France", kind=Target.Kind.ASSOCIATION)
    client.force_login(admin_user)
    for name in ("target", "delivery", "targetanswer"):
        response = client.get(reverse(f"wagtailsnippets_delivery_{name}:list"))
        assert response.status_code == 200
    response = client.get(reverse("wagtailsnippets_delivery_target:list"), {"q": "maires"})
    assert b"Association des maires" in response.content
