"""Moderation screens in the Wagtail admin. Thin: forms validate, services act, messages report."""

import hashlib

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from campaigns.models import Campaign
from signatories.models import Signature

from . import services
from .forms import ActionForm, BulkInvalidationForm
from .models import BulkInvalidation, ModerationEvent

Status = Signature.Status
PAGE_SIZE = 50


def inspect_url(signature):
    return reverse("signatures:inspect", args=[signature.pk])


def signature_action_context(signature, user):
    """What staff may do with this signature now (the state machine decides), and its register
    candidates when the register app provides them."""
    moderator = services.can_moderate(user)
    actions = []
    if moderator:
        if (
            signature.category in Signature.VERIFIED_CATEGORIES
            and signature.can_transition(Status.VERIFIED)
            and signature.status != Status.FLAGGED
        ):
            actions.append(("verify", _("Verify")))
        if signature.status == Status.FLAGGED:
            actions.append(("unflag", _("Clear the flag")))
        if signature.can_transition(Status.REJECTED):
            actions.append(("reject", _("Reject")))
        if signature.can_transition(Status.INVALIDATED):
            actions.append(("invalidate", _("Invalidate")))
    candidates = []
    if hasattr(signature, "register_candidates"):
        candidates = list(signature.register_candidates.select_related("entry")[:10])
    return {"actions": actions, "register_candidates": candidates}


class PermissionRequiredMixin:
    """Refuse staff without the permission: Wagtail's admin turns the PermissionDenied into a
    redirect to the dashboard with a message (anonymous users were already sent to login)."""

    permission = "moderation.moderate_signature"

    def dispatch(self, request, *args, **kwargs):
        if not (request.user.is_active and request.user.has_perm(self.permission)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def report(request, action, result):
    """Flash what a (bulk) action did and what it could not do."""
    done = len(result.done)
    if done:
        label = {
            "verify": ngettext("%(n)d signature verified.", "%(n)d signatures verified.", done),
            "reject": ngettext("%(n)d signature rejected.", "%(n)d signatures rejected.", done),
            "unflag": ngettext("%(n)d flag cleared.", "%(n)d flags cleared.", done),
            "invalidate": ngettext(
                "%(n)d signature invalidated.", "%(n)d signatures invalidated.", done
            ),
        }[action]
        messages.success(request, label % {"n": done})
    for signature_id, message in result.failed[:5]:
        messages.error(
            request, _("Signature %(id)s: %(message)s") % {"id": signature_id, "message": message}
        )
    if len(result.failed) > 5:
        messages.error(
            request,
            _("%(n)d more signatures could not be changed.") % {"n": len(result.failed) - 5},
        )


class AdminPage(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "form"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("signatures:index"), "label": _("Signatures")},
            {"url": "", "label": self.get_page_title()},
        ]


class QueueView(PermissionRequiredMixin, AdminPage):
    """A listing of signatures with checkboxes and one action form; POST acts, then redirects."""

    template_name = "moderation/queue.html"
    allowed_actions = ()
    queue_name = ""

    def get_queryset(self):
        raise NotImplementedError

    def filtered_queryset(self):
        queryset = self.get_queryset().select_related("campaign", "departement", "organisation")
        params = self.request.GET
        campaign = params.get("campaign", "")
        if campaign.isdigit():
            queryset = queryset.filter(campaign_id=int(campaign))
        category = params.get("category", "")
        if category in Signature.Category.values:
            queryset = queryset.filter(category=category)
        query = params.get("q", "").strip()[:100]
        if query:
            queryset = queryset.filter(
                Q(first_name__icontains=query)
                | Q(last_name__icontains=query)
                | Q(organisation_name__icontains=query)
                | Q(commune__icontains=query)
                | Q(email_domain__icontains=query)
            )
        return queryset

    def get_form(self):
        form = ActionForm(self.request.POST) if self.request.method == "POST" else ActionForm()
        form.fields["action"].choices = [
            (value, label)
            for value, label in form.fields["action"].choices
            if value in self.allowed_actions
        ]
        return form

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = self.filtered_queryset()
        if hasattr(Signature, "register_candidates"):  # the register app's near matches
            queryset = queryset.annotate(candidate_count=Count("register_candidates"))
        page = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("p"))
        form = form or self.get_form()
        selected = set(form.data.getlist("ids")) if form.is_bound else set()
        context.update(
            {
                "page_obj": page,
                "signatures": page.object_list,
                "total": page.paginator.count,
                "form": form,
                "selected": selected,
                "campaigns": Campaign.objects.order_by("-created_at"),
                "categories": Signature.Category.choices,
                "params": self.request.GET,
                "queue_name": self.queue_name,
                "current_url": self.request.get_full_path(),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            messages.error(request, _("The action could not be done: see the errors below."))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        action = form.cleaned_data["action"]
        try:
            result = services.bulk_apply(
                action,
                form.cleaned_data["ids"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.ModerationError as error:
            messages.error(request, str(error))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        report(request, action, result)
        return redirect(get_valid_next_url_from_request(request) or request.get_full_path())


class ModerationQueueView(QueueView):
    page_title = gettext_lazy("Moderation queue")
    header_icon = "tasks"
    allowed_actions = ("verify", "reject")
    queue_name = "queue"

    def get_queryset(self):
        return services.moderation_queue().order_by("confirmed_at", "pk")


class FlaggedQueueView(QueueView):
    page_title = gettext_lazy("Flagged signatures")
    header_icon = "warning"
    allowed_actions = ("unflag", "invalidate")
    queue_name = "flagged"

    def get_queryset(self):
        return services.flagged_queue().order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["trending"] = services.trending()
        context["can_bulk_invalidate"] = services.can_bulk_invalidate(self.request.user)
        return context


class SignatureActionView(PermissionRequiredMixin, TemplateView):
    """One action from a signature's detail page; POST only."""

    http_method_names = ["post"]

    def post(self, request, pk):
        signature = get_object_or_404(Signature, pk=pk)
        back = get_valid_next_url_from_request(request) or inspect_url(signature)
        form = ActionForm(_with_id(request.POST, pk))
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(back)
        action = form.cleaned_data["action"]
        result = services.bulk_apply(
            action, [signature.pk], actor=request.user, reason=form.cleaned_data["reason"]
        )
        report(request, action, result)
        return redirect(back)


def _with_id(data, pk):
    data = data.copy()
    data.setlist("ids", [str(pk)])
    return data


# --- Bulk invalidation ------------------------------------------------------------------------


def criteria_fingerprint(criteria):
    """Ties a confirmation to the criteria that were previewed."""
    raw = "|".join(
        str(value or "")
        for value in (
            getattr(criteria.campaign, "pk", ""),
            criteria.email_domain,
            criteria.ip_hash,
            criteria.signed_from and criteria.signed_from.isoformat(),
            criteria.signed_until and criteria.signed_until.isoformat(),
        )
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


class BulkInvalidationCreateView(PermissionRequiredMixin, AdminPage):
    permission = "moderation.bulk_invalidate_signature"
    template_name = "moderation/bulk_invalidation_form.html"
    page_title = gettext_lazy("Invalidate signatures in bulk")
    header_icon = "cross"

    def get(self, request):
        initial = {
            key: request.GET[key][:254]
            for key in ("email_domain", "ip_hash", "campaign")
            if request.GET.get(key)
        }
        return self.render_to_response(
            self.get_context_data(form=BulkInvalidationForm(initial=initial))
        )

    def post(self, request):
        form = BulkInvalidationForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        criteria = form.criteria
        fingerprint = criteria_fingerprint(criteria)
        confirmed = request.POST.get("step") == "confirm"
        if confirmed and request.POST.get("fingerprint") == fingerprint:
            try:
                bulk = services.bulk_invalidate(
                    criteria, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except services.ModerationError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d signature invalidated. You can undo this from the log.",
                        "%(n)d signatures invalidated. You can undo this from the log.",
                        bulk.affected,
                    )
                    % {"n": bulk.affected},
                )
                return redirect("moderation:invalidations")
        elif confirmed:
            messages.warning(request, _("The criteria changed: check the new preview first."))
        preview = services.preview_bulk_invalidation(criteria)
        return self.render_to_response(
            self.get_context_data(form=form, preview=preview, fingerprint=fingerprint)
        )

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("signatures:index"), "label": _("Signatures")},
            {"url": reverse("moderation:invalidations"), "label": _("Bulk invalidations")},
            {"url": "", "label": self.get_page_title()},
        ]


class BulkInvalidationListView(PermissionRequiredMixin, AdminPage):
    permission = "moderation.bulk_invalidate_signature"
    template_name = "moderation/bulk_invalidation_list.html"
    page_title = gettext_lazy("Bulk invalidations")
    header_icon = "cross"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = BulkInvalidation.objects.select_related("actor", "undone_by", "campaign")
        context["page_obj"] = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("p"))
        return context


class BulkInvalidationUndoView(PermissionRequiredMixin, AdminPage):
    permission = "moderation.bulk_invalidate_signature"
    template_name = "moderation/bulk_invalidation_undo.html"
    page_title = gettext_lazy("Undo a bulk invalidation")
    header_icon = "undo"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        bulk = get_object_or_404(
            BulkInvalidation.objects.select_related("actor"), pk=self.kwargs["pk"]
        )
        context["bulk"] = bulk
        context["still_invalidated"] = bulk.events.filter(
            action=ModerationEvent.Action.INVALIDATE, signature__status=Status.INVALIDATED
        ).count()
        return context

    def post(self, request, pk):
        try:
            bulk = services.undo_bulk_invalidation(pk, actor=request.user)
        except services.ModerationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)d signature restored to its previous status.",
                    "%(n)d signatures restored to their previous status.",
                    bulk.restored,
                )
                % {"n": bulk.restored},
            )
        return redirect("moderation:invalidations")


class ModerationEventListView(PermissionRequiredMixin, AdminPage):
    template_name = "moderation/event_list.html"
    page_title = gettext_lazy("Audit trail")
    header_icon = "history"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = ModerationEvent.objects.select_related("actor", "signature", "bulk")
        action = self.request.GET.get("action", "")
        if action in ModerationEvent.Action.values:
            queryset = queryset.filter(action=action)
        context["actions"] = ModerationEvent.Action.choices
        context["current_action"] = action
        context["page_obj"] = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("p"))
        return context


def queue_sizes():
    return Signature.objects.aggregate(
        queue=Count(
            "id",
            filter=Q(status=Status.CONFIRMED, category__in=Signature.VERIFIED_CATEGORIES),
        ),
        flagged=Count("id", filter=Q(status=Status.FLAGGED)),
    )
