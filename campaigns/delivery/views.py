"""The delivery's dispatch screen: generate the dossier, send it, follow each email."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .models import Delivery, DeliverySend
from .services import request_dossier, send_delivery

PERMISSION = "delivery.change_delivery"


class DeliveryDispatchView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "delivery/admin/dispatch.html"
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            return permission_denied(request)
        self.delivery = get_object_or_404(
            Delivery.objects.select_related("campaign"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Deliver: %(title)s") % {"title": self.delivery.title}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        delivery = self.delivery
        context.update(
            delivery=delivery,
            targets=delivery.targets.all(),
            sends=delivery.sends.select_related("target"),
            edit_url=reverse("wagtailsnippets_delivery_delivery:edit", args=[delivery.pk]),
            busy=delivery.status in (Delivery.Status.GENERATING, Delivery.Status.SENDING),
        )
        return context

    def post(self, request, *args, **kwargs):
        delivery = self.delivery
        action = request.POST.get("action")
        if action == "generate":
            request_dossier(delivery)
            messages.success(request, _("The dossier is being generated in the background."))
        elif action == "send":
            if not delivery.dossier:
                messages.error(request, _("Generate the dossier before sending it."))
            elif not delivery.targets.exists():
                messages.error(request, _("Choose at least one target."))
            else:
                queued = send_delivery(delivery, request.user)
                skipped = delivery.sends.filter(status=DeliverySend.Status.SKIPPED).count()
                messages.success(
                    request,
                    _("%(queued)s emails queued; %(skipped)s targets have no email address.")
                    % {"queued": queued, "skipped": skipped},
                )
        else:
            messages.error(request, _("Unknown action."))
        return redirect("delivery_admin_dispatch", delivery.pk)
