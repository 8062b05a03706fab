"""Bulk sync through Mailchimp batches: one `batches.start` call per MAILCHIMP_BATCH_SIZE supporters.

Each operation id is "<row id>:<claimed version>:<step>", so every result in the downloaded
tar.gz maps back to its outbox row; the rows then settle exactly as after a direct call. The task
that started batches queues their polling (tasks.py).
"""

import io
import json
import logging
import tarfile

from django.db import transaction
from django.utils import timezone

from . import client as mc
from .models import Batch, OutboxEntry
from .outbox import Outcome, save_rows, settle
from .payloads import Op, Plan

logger = logging.getLogger(__name__)

# Mailchimp allows 500 pending batches per account; keep a margin for other tools.
MAX_PENDING_BATCHES = 400


def can_start(connection):
    return Batch.objects.filter(status=Batch.Status.STARTED).count() < MAX_PENDING_BATCHES


def operation_id(entry, step):
    return f"{entry.pk}:{entry.claimed_version}:{step}"


def to_operation(entry, op):
    operation = {"method": op.method, "path": op.path, "operation_id": operation_id(entry, op.step)}
    if op.body is not None:
        operation["body"] = json.dumps(op.body)
    if op.params:
        operation["params"] = op.params
    return operation


def start(connection, plans):
    """Start one batch for these claimed rows; rows with nothing to send settle at once."""
    idle = [(p, Outcome()) for p in plans if not p.ops]
    settle(connection, idle)
    busy = [p for p in plans if p.ops]
    if not busy:
        return False
    operations = [to_operation(p.entry, op) for p in busy for op in p.ops]
    try:
        data = mc.call(mc.get_client().batches.start, {"operations": operations}, member_call=False)
    except mc.MailchimpError as err:
        logger.warning("Mailchimp batch start failed for %s: %s", connection.list_id, err)
        settle(connection, [(p, Outcome({p.ops[0].step: err})) for p in busy])
        return False
    with transaction.atomic():
        batch = Batch.objects.create(
            connection=connection,
            mailchimp_id=str(data.get("id")),
            mailchimp_status=str(data.get("status", ""))[:32],
            total_operations=len(operations),
        )
        for p in busy:
            p.entry.batch = batch
            p.entry.sending_hash = p.hash
            p.entry.sending_tags = p.tags
            p.entry.sending_action = f"{p.action}|{','.join(op.step for op in p.ops)}"
        save_rows(
            [p.entry for p in busy], ["batch", "sending_hash", "sending_tags", "sending_action"]
        )
    return True


def read_results(content):
    """{operation_id: (status_code, response text)} from a batch's tar.gz of JSON arrays."""
    results = {}
    with tarfile.open(fileobj=io.BytesIO(content), mode="r:gz") as archive:
        for member in archive:
            if not member.isfile():
                continue
            handle = archive.extractfile(member)
            try:
                items = json.loads(handle.read() or b"[]")
            except ValueError:
                logger.warning("Unreadable file %s in a Mailchimp batch result", member.name)
                continue
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and item.get("operation_id"):
                    results[item["operation_id"]] = (item.get("status_code"), item.get("response"))
    return results


def result_to_outcome(status, response):
    if isinstance(status, int) and 200 <= status < 300:
        try:
            return json.loads(response) if response else None
        except ValueError:
            return None
    title, detail = mc.problem(status, response)
    if not isinstance(status, int):
        return mc.MailchimpError(mc.Kind.TRANSIENT, None, "No result", "")
    return mc.MailchimpError(mc.classify(status, title, detail), status, title, detail)


def rebuild_plan(entry):
    action, _, steps = entry.sending_action.partition("|")
    ops = [Op(step, "", "") for step in steps.split(",") if step]
    return Plan(
        entry=entry, ops=ops, action=action, hash=entry.sending_hash, tags=entry.sending_tags
    )


def settle_batch(batch, results):
    pairs = []
    missing = mc.MailchimpError(mc.Kind.TRANSIENT, None, "Operation missing from batch results", "")
    for entry in batch.entries.filter(state=OutboxEntry.State.IN_FLIGHT):
        p = rebuild_plan(entry)
        outcome = Outcome()
        for op in p.ops:
            key = operation_id(entry, op.step)
            outcome.results[op.step] = (
                result_to_outcome(*results[key]) if key in results else missing
            )
        pairs.append((p, outcome))
    settle(batch.connection, pairs)


def poll():
    """Check every started batch once; settle the finished ones. Returns how many are still running."""
    client = mc.get_client()
    running = 0
    for batch in Batch.objects.filter(status=Batch.Status.STARTED).select_related("connection"):
        try:
            data = mc.call(client.batches.status, batch.mailchimp_id, member_call=False)
        except mc.MailchimpError as err:
            if err.kind == mc.Kind.TRANSIENT:
                running += 1
                continue
            logger.error(
                "Mailchimp batch %s is unreadable (%s): its rows are re-queued", batch, err
            )
            settle_batch(batch, {})
            _finish(batch, Batch.Status.FAILED)
            continue
        batch.polls += 1
        batch.mailchimp_status = str(data.get("status", ""))[:32]
        batch.finished_operations = int(data.get("finished_operations") or 0)
        batch.errored_operations = int(data.get("errored_operations") or 0)
        batch.save(
            update_fields=["polls", "mailchimp_status", "finished_operations", "errored_operations"]
        )
        if batch.mailchimp_status != "finished":
            running += 1
            continue
        try:
            results = read_results(mc.download(data.get("response_body_url") or ""))
        except (mc.MailchimpError, tarfile.TarError, OSError) as err:
            logger.warning("Mailchimp batch %s results not readable yet: %s", batch, err)
            running += 1
            continue
        settle_batch(batch, results)
        _finish(batch, Batch.Status.FINISHED)
    return running


def _finish(batch, status):
    batch.status = status
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "finished_at"])
