import pytest

from campaigns.mailchimp import client as mc
from campaigns.mailchimp import inbound, outbox, payloads, transport
from campaigns.mailchimp.models import OutboxEntry, member_hash
from signatories.lifecycle import change_status
from signatories.models import Signature
from tests.factories import OrganisationFactory, SignatureFactory

from .conftest import sign_and_confirm


def test_sign_and_confirm_gives_one_member_with_fields_and_tags(
    fake_mailchimp, connection, on_commit, run_tasks
):
    with on_commit():
        signature = sign_and_confirm(
            connection.campaign,
            category=Signature.Category.ELECTED,
            first_name="Zoé",
            last_name="Lefèvre",
            title="Maire",
            organisation_name="Commune de Villeurbanne",
            signatory__email="Zoe.Lefevre@Mairie-Villeurbanne.fr",
        )
    run_tasks()

    h = member_hash("zoe.lefevre@mairie-villeurbanne.fr")
    member = fake_mailchimp.member("aud1", h)
    assert member is not None
    assert member["status"] == "subscribed"
    assert member["merge_fields"] == {
        "FNAME": "Zoé",
        "LNAME": "Lefèvre",
        "ORG": "Commune de Villeurbanne",
        "TITLE": "Maire",
        "DEPT": "69",
    }
    assert member["tags"] == {"bibliotheques-2026", "élus", "Département 69"}
    puts = fake_mailchimp.requests("PUT", rf"/members/{h}$")
    assert len(puts) == 1 and puts[0]["body"]["status_if_new"] == "subscribed"
    assert "status" not in puts[0]["body"]  # never forces a status on an existing member
    entry = OutboxEntry.objects.get(signatory=signature.signatory)
    assert entry.state == OutboxEntry.State.SYNCED
    assert entry.member_status == "subscribed"

    # Verified by staff: only the tag changes, in its own call; the member body is unchanged.
    fake_mailchimp.reset_log()
    with on_commit():
        change_status(signature, Signature.Status.VERIFIED)
    run_tasks()
    assert "vérifié" in fake_mailchimp.member("aud1", h)["tags"]
    assert fake_mailchimp.requests("PUT") == []
    tag_calls = fake_mailchimp.requests("POST", r"/tags$")
    assert [t["name"] for t in tag_calls[0]["body"]["tags"]] == ["vérifié"]


def test_without_newsletter_consent_nothing_is_sent(
    fake_mailchimp, connection, on_commit, run_tasks
):
    with on_commit():
        sign_and_confirm(connection.campaign, consent_newsletter=False)
    run_tasks()
    assert fake_mailchimp.api_calls() == []
    assert not OutboxEntry.objects.exists()


def test_unchanged_supporter_costs_no_call(fake_mailchimp, connection, on_commit, run_tasks):
    with on_commit():
        signature = sign_and_confirm(connection.campaign, organisation=OrganisationFactory())
    run_tasks()
    fake_mailchimp.reset_log()
    with on_commit():
        change_status(signature, Signature.Status.FLAGGED)
        change_status(signature, Signature.Status.CONFIRMED)
    run_tasks()
    assert fake_mailchimp.api_calls() == []
    assert OutboxEntry.objects.get().state == OutboxEntry.State.SYNCED


def test_clean_text_normalises_and_blanks_control_characters():
    # Decomposed accents are composed (NFC); tabs, newlines and zero-width spaces become spaces.
    assert payloads.clean_text("  Zoe\u0301\tLefe\u0300vre\u200b\n ") == "Zoé Lefèvre"
    assert payloads.clean_text("Médiathèque  d\u2019Orléans") == "Médiathèque d\u2019Orléans"
    assert payloads.clean_text(None) == ""
    assert payloads.clean_text("é" * 300) == "é" * 255
    assert payloads.clean_text("a\x00b\x7fc") == "a b c"


def test_unsubscribe_arriving_during_a_send_is_not_overwritten(
    fake_mailchimp, connection, on_commit
):
    """A webhook's unsubscribe that lands while the member is being sent wins over the stale
    status the send brings back; the row is planned again."""
    with on_commit():
        signature = sign_and_confirm(connection.campaign, signatory__email="ana@example.org")
    entries = outbox.claim(connection, 10)
    plans = payloads.plans_for(connection, entries)
    client = mc.get_client()
    outcomes = [(p, transport.run_ops(client, connection, p)) for p in plans]
    # Meanwhile, Mailchimp's webhook says the member unsubscribed.
    h = member_hash("ana@example.org")
    assert inbound.apply_unsubscribe(connection, h, "unsubscribed", reason="webhook")
    outbox.settle(connection, outcomes)

    entry = OutboxEntry.objects.get(connection=connection, subscriber_hash=h)
    assert entry.member_status == "unsubscribed"
    assert entry.state == "pending"  # planned again: it will not resubscribe them
    signature.refresh_from_db()
    assert not signature.consent_newsletter


@pytest.mark.parametrize(
    ("fields", "supporter"),
    [
        ({"confirmed": True}, True),
        ({"verified": True}, True),
        ({"status": Signature.Status.PENDING}, False),
        ({"flagged": True}, False),
        ({"withdrawn": True}, False),
        ({"status": Signature.Status.REJECTED}, False),
        ({"status": Signature.Status.INVALIDATED}, False),
        ({"confirmed": True, "consent_newsletter": False}, False),
        ({"confirmed": True, "consented_at": None}, True),  # online: the form is the consent
        ({"confirmed": True, "source": Signature.Source.PAPER, "consented_at": None}, False),
        ({"confirmed": True, "source": Signature.Source.IMPORT, "consented_at": None}, False),
        ({"confirmed": True, "source": Signature.Source.PAPER}, True),  # consent recorded
        ({"confirmed": True, "source": Signature.Source.PARTNER}, True),
        ({"confirmed": True, "signatory": None}, False),  # anonymised: no address
    ],
)
def test_who_is_a_supporter(db, fields, supporter):
    fields = {"consent_newsletter": True, **fields}
    signature = SignatureFactory(**fields)
    SignatureFactory(confirmed=True, consent_newsletter=True)  # someone else, elsewhere
    found = Signature.objects.filter(campaign=signature.campaign).supporters()
    assert list(found) == ([signature] if supporter else [])
    # The drain's copy of the rule, for signatures it has read, says the same.
    assert payloads.is_supporter(Signature.objects.get(pk=signature.pk)) is supporter
