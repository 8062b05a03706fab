import pytest
from django.core.management import CommandError, call_command

from campaigns.mailchimp.models import OutboxEntry

from .conftest import sign_and_confirm


def test_sync_resync_and_reconcile_commands(fake_mailchimp, connection, capsys):
    sign_and_confirm(connection.campaign)  # on_commit not run: the row waits for a sync
    call_command("mailchimp_sync")
    assert "synced: 1" in capsys.readouterr().out
    fake_mailchimp.reset_log()
    call_command("mailchimp_full_resync", connection=connection.pk)
    call_command("mailchimp_sync")
    assert len(fake_mailchimp.requests("PUT")) == 1
    fake_mailchimp.set_status("aud1", OutboxEntry.objects.get().signatory.email, "unsubscribed")
    call_command("mailchimp_reconcile", full=True)
    assert OutboxEntry.objects.get().member_status == "unsubscribed"


def test_commands_refuse_without_configuration(connection, settings):
    settings.MAILCHIMP_API_KEY = ""
    with pytest.raises(CommandError, match="MAILCHIMP_API_KEY"):
        call_command("mailchimp_sync")
    with pytest.raises(CommandError, match="No audience connection"):
        call_command("mailchimp_full_resync", connection=999)
