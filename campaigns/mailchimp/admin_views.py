"""Staff views: the per-audience summary (progress, counts, actions) and retries. Thin: every
action is one call to services.py."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.ui.components import Component

from . import client as mc
from . import inbound, services
from .models import AudienceConnection, Batch, OutboxEntry, WebhookEvent

State = OutboxEntry.State
CHANGE = "mailchimp.change_audienceconnection"


def progress(connection):
    counts = dict(
        OutboxEntry.objects.filter(connection=connection)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    total = sum(n for state, n in counts.items() if state != State.CANCELLED)
    waiting = counts.get(State.PENDING, 0) + counts.get(State.IN_FLIGHT, 0)
    done = total - waiting
    return {
        "counts": [(label, counts.get(value, 0), value) for value, label in State.choices],
        "total": total,
        "done": done,
        "waiting": waiting,
        "attention": counts.get(State.FAILED, 0) + counts.get(State.DEAD, 0),
        "percent": round(100 * done / total) if total else 100,
    }


@permission_required(CHANGE, raise_exception=True)
def summary(request, pk):
    connection = get_object_or_404(AudienceConnection.objects.select_related("campaign"), pk=pk)
    state = progress(connection)
    configured = mc.is_configured()
    context = {
        "connection": connection,
        "configured": configured,
        "progress": state,
        # The page refreshes itself (meta refresh, no script) while rows are on their way.
        "refresh": configured and not connection.is_paused and state["waiting"] > 0,
        "batches": Batch.objects.filter(connection=connection)[:10],
        "events": WebhookEvent.objects.filter(connection=connection)[:10],
        "webhook_url": inbound.webhook_url(connection),
        "page_title": _("Mailchimp audience %(list_id)s") % {"list_id": connection.list_id},
        "header_icon": "mail",
    }
    return TemplateResponse(request, "mailchimp/admin/summary.html", context)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def audience_action(request, pk):
    connection = get_object_or_404(AudienceConnection, pk=pk)
    action = request.POST.get("action", "")
    with transaction.atomic():
        if action == "sync":
            services.sync_now(connection)
            messages.success(request, _("Sync started."))
        elif action == "full_resync":
            services.queue_all_supporters(connection, force=True)
            messages.success(request, _("Full resync started: every supporter will be sent again."))
        elif action == "resume":
            services.resume(connection)
            messages.success(request, _("Sync resumed."))
        elif action == "register_webhook":
            services.register_webhook_again(connection)
            messages.success(request, _("Webhook registration requested."))
        elif action == "reconcile":
            services.reconcile_now()
            messages.success(request, _("Reconcile requested."))
        elif action == "retry_failed":
            count = services.retry(OutboxEntry.objects.filter(connection=connection))
            messages.success(request, _("%(count)s failed rows queued again.") % {"count": count})
        else:
            messages.error(request, _("Unknown action."))
    return redirect("mailchimp_audience:summary", pk=pk)


@require_POST
def retry_entry(request, pk):
    if not request.user.has_perm("mailchimp.change_outboxentry"):
        raise PermissionDenied
    with transaction.atomic():
        if services.retry(OutboxEntry.objects.filter(pk=pk)):
            messages.success(request, _("Queued again."))
        else:
            messages.warning(request, _("This row was not failed any more."))
    return redirect(request.POST.get("next") or "mailchimp_outbox:index")


class AlertPanel(Component):
    """Dashboard alert: sync off, paused audiences, or failed rows."""

    name = "mailchimp_alert"
    order = 50
    template_name = "mailchimp/admin/alert_panel.html"

    def is_shown(self, request):
        if not request.user.has_perm(CHANGE):
            return False
        self.paused = list(
            AudienceConnection.objects.filter(paused_at__isnull=False).select_related("campaign")
        )
        self.attention = OutboxEntry.objects.filter(state__in=[State.FAILED, State.DEAD]).count()
        self.unconfigured = not mc.is_configured() and AudienceConnection.objects.exists()
        return bool(self.paused or self.attention or self.unconfigured)

    def get_context_data(self, parent_context=None):
        return {
            "paused": self.paused,
            "attention": self.attention,
            "unconfigured": self.unconfigured,
        }
