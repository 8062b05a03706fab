"""Wagtail admin: targets, deliveries and answers; the dispatch screen."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet

from .models import Delivery, TargetAnswer
from .views import PERMISSION, DeliveryDispatchView
from .viewsets import DeliveryGroup

register_snippet(DeliveryGroup)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path(
            "deliveries/<int:pk>/dispatch/",
            DeliveryDispatchView.as_view(),
            name="delivery_admin_dispatch",
        ),
    ]


@hooks.register("register_snippet_listing_buttons")
def delivery_dispatch_button(snippet, user, next_url=None):
    if isinstance(snippet, Delivery) and user.has_perm(PERMISSION):
        yield Button(
            _("Generate and send"),
            reverse("delivery_admin_dispatch", args=[snippet.pk]),
            icon_name="mail",
            priority=5,
        )


@hooks.register("after_create_snippet")
def record_who_entered_the_answer(request, instance):
    if isinstance(instance, TargetAnswer) and instance.recorded_by_id is None:
        TargetAnswer.objects.filter(pk=instance.pk).update(recorded_by=request.user)
