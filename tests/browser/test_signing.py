"""Sign in a real browser (JavaScript on: category fields and the ALTCHA proof of work), confirm
from the email, and find the name on the public list."""

import re

import pytest
from django.core import mail

from signatories.counts import refresh_counts
from signatories.models import Signature
from tests.browser.conftest import AXE_JS, screenshot
from tests.factories import CampaignFactory
from tests.signatories.submitting import process

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def axe_violations_in(page, selector):
    """axe-core on this feature's own markup (the site chrome is tested by the pages' tests)."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async (selector) => await axe.run(selector, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})",
        selector,
    )
    return [
        (v["id"], [n["html"][:200] for n in v["nodes"]])
        for v in result["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


@pytest.fixture
def campaign(settings):
    settings.SIGNATURES_FORM_MIN_SECONDS = 0
    settings.SIGNATURES_ALTCHA_COST = 50
    settings.SIGNATURES_ALTCHA_MAX_NUMBER = 20
    return CampaignFactory(
        slug="lettre-numerique", title="Lettre ouverte sur le numérique", goal=500
    )


def test_sign_confirm_and_appear_on_the_public_list(page, live_server, campaign, run_tasks):
    page.goto(f"{live_server.url}/fr/signer/{campaign.slug}/")
    # Only the chosen category's fields show once JavaScript runs.
    assert page.locator("fieldset[data-category='professional']").is_hidden()
    page.get_by_label("Professionnel(le) des bibliothèques").check()
    assert page.locator("fieldset[data-category='professional']").is_visible()
    assert page.locator("fieldset[data-category='elected']").is_hidden()
    page.locator("#id_first_name").fill("Hélène")
    page.locator("#id_last_name").fill("Navigateur-Test")
    page.locator("#id_email").fill("helene.navigateur@example.org")
    page.locator("#id_postcode").fill("69007")
    page.locator("#id_job_title").fill("Directrice de médiathèque")
    page.locator("#id_establishment").fill("Médiathèque du Rhône")
    page.locator("#id_consent_sign").check()
    page.locator("#id_consent_public").check()
    # The proof of work runs in a worker served by the site; its solution lands in the form.
    page.wait_for_function(
        "() => { const i = document.querySelector('input[name=altcha]'); return i && i.value; }",
        timeout=30000,
    )
    assert axe_violations_in(page, ".signature-page") == []
    screenshot(page, "signing-form")
    page.get_by_role("button", name="Signer la lettre").click()
    page.wait_for_url(re.compile(r"/merci/$"))
    assert page.get_by_role("heading", name="Consultez votre messagerie").is_visible()
    screenshot(page, "check-inbox")

    assert not Signature.objects.exists()  # the request only recorded what was sent
    run_tasks()  # the worker decides, then sends the email
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING, signature.flag_reason
    message = mail.outbox[-1]
    link = re.search(r"https?://\S+/confirmer/\S+/", message.body).group(0)
    page.goto(live_server.url + link.split("testserver", 1)[-1])
    # Opening the link (as a mail scanner does) confirms nothing: the button does.
    assert Signature.objects.get().status == Signature.Status.PENDING
    screenshot(page, "confirm-button")
    with page.expect_navigation():  # the POST's answer, not the page it replaces
        page.get_by_role("button", name="Confirmer ma signature").click()
    heading = page.get_by_role("heading", name="Merci, votre signature est confirmée")
    heading.wait_for()
    assert Signature.objects.get().status == Signature.Status.CONFIRMED

    refresh_counts()  # as the periodic task does
    page.goto(f"{live_server.url}/fr/signataires/{campaign.slug}/")
    assert page.get_by_text("Hélène Navigateur-Test").is_visible()
    assert "helene.navigateur@example.org" not in page.content()
    assert axe_violations_in(page, ".signatory-list") == []
    screenshot(page, "public-list")


def test_form_without_javascript_still_signs_and_is_flagged_for_review(
    browser, live_server, campaign
):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/fr/signer/{campaign.slug}/")
        assert page.locator("fieldset[data-category='authority']").is_visible()  # everything shows
        page.get_by_label("Particulier").check()
        page.locator("#id_first_name").fill("Sans")
        page.locator("#id_last_name").fill("Javascript")
        page.locator("#id_email").fill("sans.js@exemple")
        page.locator("#id_consent_sign").check()
        page.get_by_role("button", name="Signer la lettre").click()
        # server-side errors, nothing typed lost
        assert page.locator("#id_first_name").input_value() == "Sans"
        assert page.locator("#id_email").get_attribute("aria-invalid") == "true"
        page.locator("#id_email").fill("sans.js@example.org")
        page.locator("#id_consent_sign").check()
        page.get_by_role("button", name="Signer la lettre").click()
        page.wait_for_url(re.compile(r"/merci/$"))
        process()
        signature = Signature.objects.get()
        assert (
            signature.status == Signature.Status.FLAGGED and "no-challenge" in signature.flag_reason
        )
    finally:
        context.close()
