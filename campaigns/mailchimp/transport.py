"""Sending plans one by one: each row's calls in order, the rows in parallel threads, never more
at once than MAILCHIMP_MAX_CONNECTIONS (client.call holds the process-wide limit)."""

from concurrent.futures import ThreadPoolExecutor

from django.conf import settings

from . import client as mc
from .outbox import Outcome, settle


def run_ops(client, connection, p):
    """Send a plan's ops in order (HTTP only: runs in a worker thread, no database access)."""
    outcome = Outcome()
    lists = client.lists
    for op in p.ops:
        h = p.entry.subscriber_hash
        try:
            if op.step == "member":
                result = mc.call(
                    lists.set_list_member,
                    connection.list_id,
                    h,
                    op.body,
                    skip_merge_validation=True,
                )
            elif op.step == "tags":
                result = mc.call(
                    lists.update_list_member_tags, connection.list_id, h, op.body, expect_json=False
                )
            elif op.step == "archive":
                result = mc.call(lists.delete_list_member, connection.list_id, h, expect_json=False)
            elif op.step == "unsubscribe":
                result = mc.call(lists.update_list_member, connection.list_id, h, op.body)
            elif op.step == "erase":
                result = mc.call(
                    lists.delete_list_member_permanent, connection.list_id, h, expect_json=False
                )
            else:  # pragma: no cover
                raise ValueError(op.step)
        except mc.MailchimpError as err:
            outcome.results[op.step] = err
            break  # don't send tags for a member that failed
        outcome.results[op.step] = result
    return outcome


def send_direct(connection, plans):
    """Send these claimed rows' plans and settle every row."""
    client = mc.get_client()
    calls = [p for p in plans if p.ops]
    outcomes = {}
    if calls:
        workers = min(settings.MAILCHIMP_MAX_CONNECTIONS, len(calls))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for p, outcome in zip(
                calls, pool.map(lambda p: run_ops(client, connection, p), calls), strict=True
            ):
                outcomes[p.entry.pk] = outcome
    settle(connection, [(p, outcomes.get(p.entry.pk, Outcome())) for p in plans])
