"""The door seen by staff: the queue of what visitors sent to the signer-facing forms
(signatories.intake), read-only, with its size and lag, and a way to put failed rows back.

Moderators (and superusers) see it; nobody adds, edits or deletes a submission here: the rows are
what visitors sent. The IP hash is never shown, and the email only to moderators."""

from datetime import timedelta

import django_filters
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, capfirst
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from campaigns.models import Campaign
from signatories import intake
from signatories.models import Signature, Submission

from .services import can_moderate
from .viewsets import menu_item_requiring

Status = Submission.Status
MODERATE = "moderation.moderate_signature"
FAILURE_PREVIEW_CHARS = 120
# Keys of a signing form's fields that are not Signature fields, with their labels.
EXTRA_FIELD_LABELS = {
    "departement_code": _("Département"),
    "consent_text": _("Wording agreed to"),
}


class SubmissionPolicy(BasePermissionPolicy):
    """Moderators and superusers may look at submissions (the "view" action); no one may add,
    change or delete one in the admin."""

    def user_has_permission(self, user, action):
        return action == "view" and can_moderate(user)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if "view" not in actions:
            return users.none()
        moderate = Permission.objects.filter(
            content_type__app_label="moderation", codename="moderate_signature"
        )
        return users.filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=moderate)
            | Q(groups__permissions__in=moderate)
        ).distinct()


register_permission_policy(Submission, SubmissionPolicy(Submission))


def local_datetime(value, fmt="SHORT_DATETIME_FORMAT"):
    return formats.date_format(timezone.localtime(value), fmt) if value else ""


def describe_lag(seconds):
    """A queue's lag in words: "40 seconds", "3 minutes", "1 hour, 5 minutes"."""
    seconds = int(seconds)
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    now = timezone.now()
    return timesince(now - timedelta(seconds=seconds), now, depth=2)


def queue_summary(now=None):
    """How many submissions wait, how many failed, and how long the oldest waiting one has."""
    lag = intake.lag_seconds(now)
    return {
        "waiting": Submission.objects.filter(status=Status.WAITING).count(),
        "failed": Submission.objects.filter(status=Status.FAILED).count(),
        "lag_seconds": lag,
        "lag": describe_lag(lag),
        "index_url": reverse("submissions:index"),
    }


def inspect_url(submission):
    return reverse("submissions:inspect", args=[submission.pk])


def failure_preview(submission):
    if submission.status != Status.FAILED:
        return ""
    return Truncator(submission.failure).chars(FAILURE_PREVIEW_CHARS)


def campaign_label(submission):
    return submission.campaign or gettext("every open campaign")


class SubmissionFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Submission.Kind.choices)
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"), queryset=Campaign.objects.order_by("-created_at")
    )

    class Meta:
        model = Submission
        fields = ["status", "kind", "campaign"]


class SubmissionIndexView(ModelViewSet.index_view_class):
    page_title = _("Form submissions")

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("campaign")

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["intake_summary"] = queue_summary()
        context["can_retry"] = can_moderate(self.request.user)
        return context


class SubmissionInspectView(ModelViewSet.inspect_view_class):
    # A list of what to show, not of what to hide: never the IP hash nor the ALTCHA challenge.
    FIELDS = (
        "kind",
        "status",
        "outcome",
        "failure",
        "created_at",
        "processed_at",
        "attempts",
        "campaign",
        "email",
        "canonical_email",
        "email_domain",
        "language",
        "flags",
        "bot",
        "fields",
    )
    MODERATORS_ONLY = {"email", "canonical_email"}

    def get_object(self, queryset=None):
        return get_object_or_404(Submission.objects.select_related("campaign"), pk=self.pk)

    def get_fields(self):
        moderator = can_moderate(self.request.user)
        return [name for name in self.FIELDS if moderator or name not in self.MODERATORS_ONLY]

    def get_field_label(self, field_name, field):
        if field_name == "fields":
            return gettext("What was sent")
        return super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        return "—" if value in ("", None) else value

    def get_created_at_display_value(self):
        return local_datetime(self.object.created_at, "DATETIME_FORMAT")

    def get_processed_at_display_value(self):
        return local_datetime(self.object.processed_at, "DATETIME_FORMAT")

    def get_campaign_display_value(self):
        return campaign_label(self.object)

    def get_language_display_value(self):
        return dict(settings.LANGUAGES).get(self.object.language, self.object.language)

    def get_bot_display_value(self):
        return gettext("yes") if self.object.bot else gettext("no")

    def get_failure_display_value(self):
        if not self.object.failure:
            return ""
        return format_html("<code>{}</code>", self.object.failure)

    def get_fields_display_value(self):
        """The form's fields as declared, labelled as on a signature; raw codes become labels."""
        sent = self.object.fields or {}
        if not sent:
            if self.object.status == Status.PROCESSED:
                return gettext("Emptied once processed.")
            return ""
        return format_html(
            '<dl class="moderation-dl">{}</dl>',
            format_html_join(
                "", "<dt>{}</dt><dd>{}</dd>", (self._sent_field(k, v) for k, v in sent.items())
            ),
        )

    def _sent_field(self, key, value):
        try:
            field = Signature._meta.get_field(key)
        except FieldDoesNotExist:
            field = None
        label = EXTRA_FIELD_LABELS.get(key) or (
            field.verbose_name if field is not None else key.replace("_", " ")
        )
        if isinstance(value, bool):
            shown = gettext("yes") if value else gettext("no")
        elif value in ("", None):
            shown = "—"
        elif field is not None and field.choices:
            shown = dict(field.flatchoices).get(value, value)
        elif key == "consent_text":
            shown = format_html_join("", "{}<br>", ((line,) for line in str(value).splitlines()))
        else:
            shown = value
        return capfirst(label), shown

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_retry"] = can_moderate(self.request.user) and (
            self.object.status == Status.FAILED
        )
        return context


class RetryView(View):
    """Put failed submissions back in the queue: one (`pk`) or every failed one. POST only."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if not can_moderate(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, pk=None):
        if pk is None:
            back = reverse("submissions:index")
            queryset = Submission.objects.all()
        else:
            submission = get_object_or_404(Submission, pk=pk)
            back = inspect_url(submission)
            if submission.status != Status.FAILED:
                messages.warning(
                    request,
                    gettext("This submission has not failed (“%(status)s”): it was left as it is.")
                    % {"status": submission.get_status_display()},
                )
                return redirect(back)
            queryset = Submission.objects.filter(pk=submission.pk)
        count = intake.retry(queryset)
        if count:
            messages.success(
                request,
                ngettext(
                    "%(n)d failed submission put back in the queue.",
                    "%(n)d failed submissions put back in the queue.",
                    count,
                )
                % {"n": count},
            )
        else:
            messages.warning(request, gettext("No failed submission to retry."))
        return redirect(back)


class SubmissionViewSet(ModelViewSet):
    model = Submission
    icon = "clipboard-list"
    menu_label = _("Form submissions")
    menu_order = 350
    # An entry of the "Signatures" submenu (SignaturesGroup.submenu_hook).
    menu_hook = "register_signatures_menu_item"
    menu_item_class = menu_item_requiring(MODERATE)
    url_prefix = "signatures/submissions"
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = SubmissionIndexView
    inspect_view_class = SubmissionInspectView
    index_template_name = "moderation/intake_index.html"
    inspect_template_name = "moderation/intake_inspect.html"
    filterset_class = SubmissionFilterSet
    list_per_page = 50
    ordering = "-created_at"
    list_display = [
        TitleColumn(
            "created_at",
            label=_("Received at"),
            accessor=lambda submission: local_datetime(submission.created_at),
            get_url=inspect_url,
            sort_key="created_at",
        ),
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        Column("campaign", label=_("Campaign"), accessor=campaign_label),
        Column(
            "status",
            label=_("Status"),
            accessor="get_status_display",
            sort_key="status",
        ),
        Column("outcome", label=_("Outcome"), accessor="get_outcome_display"),
        Column("attempts", label=_("Attempts"), sort_key="attempts"),
        Column(
            "failure",
            label=_("Reason of the failure"),
            accessor=failure_preview,
        ),
    ]

    def get_urlpatterns(self):
        # Listing, detail and retry only: what a visitor sent is not edited in the admin.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("retry/<int:pk>/", RetryView.as_view(), name="retry"),
            path("retry-failed/", RetryView.as_view(), name="retry_failed"),
        ]

    def get_permissions_to_register(self):
        # Access follows moderation.moderate_signature, already in the group editor.
        return Permission.objects.none()
