"""Wagtail admin screens: upload, dry-run preview, confirm, progress; export; export log."""

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .exports import PERMISSION, export
from .forms import ExportForm, UploadForm
from .models import ExportLog, ImportJob
from .services import confirm_job, create_job, job_progress

IMPORT_PERMISSION = "imports.add_importjob"


class PermissionMixin:
    permission = IMPORT_PERMISSION

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)


class ImportBreadcrumbsMixin(WagtailAdminTemplateMixin):
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("imports_admin:index"), "label": _("Imports")},
            {"url": "", "label": self.get_page_title()},
        ]


class ImportIndexView(PermissionMixin, ImportBreadcrumbsMixin, TemplateView):
    template_name = "imports/admin/index.html"
    page_title = gettext_lazy("Imports")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["jobs"] = ImportJob.objects.select_related("created_by", "campaign")[:50]
        return context


class ImportCreateView(PermissionMixin, ImportBreadcrumbsMixin, FormView):
    template_name = "imports/admin/create.html"
    form_class = UploadForm
    page_title = gettext_lazy("New import")

    def form_valid(self, form):
        data = form.cleaned_data
        job = create_job(
            kind=data["kind"],
            uploaded_file=data["file"],
            user=self.request.user,
            campaign=data.get("campaign"),
            source=data.get("source", ""),
            source_detail=data.get("source_detail", ""),
            mandate=data.get("mandate", ""),
        )
        messages.success(self.request, _("File uploaded: the dry run is under way."))
        return redirect("imports_admin:detail", job.pk)

    def form_invalid(self, form):
        messages.error(self.request, _("The import could not start: see the errors below."))
        return super().form_invalid(form)


class ImportDetailView(PermissionMixin, ImportBreadcrumbsMixin, TemplateView):
    template_name = "imports/admin/detail.html"

    def dispatch(self, request, *args, **kwargs):
        self.job = get_object_or_404(ImportJob, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Import: %(name)s") % {"name": self.job.original_name}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        context.update(
            job=job,
            report=job.report or {},
            processed=job_progress(job),
            progress_url=reverse("imports_admin:progress", args=[job.pk]),
            confirm_url=reverse("imports_admin:confirm", args=[job.pk]),
            can_confirm=job.state == ImportJob.State.CHECKED,
        )
        return context


@require_POST
def confirm_view(request, pk):
    if not request.user.has_perm(IMPORT_PERMISSION):
        return permission_denied(request)
    job = get_object_or_404(ImportJob, pk=pk)
    if confirm_job(job, request.user):
        messages.success(request, _("Import confirmed: it runs in the background."))
    else:
        messages.error(request, _("This import is not waiting for confirmation."))
    return redirect("imports_admin:detail", job.pk)


def progress_view(request, pk):
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise Http404
    job = get_object_or_404(ImportJob, pk=pk)
    processed = job_progress(job)
    total = job.total_rows or 0
    percent = (
        job.progress_percent if job.is_finished or not total else min(99, 100 * processed // total)
    )
    response = JsonResponse(
        {
            "state": job.state,
            "state_label": str(job.get_state_display()),
            "processed": processed,
            "total": total,
            "percent": percent,
            "finished": job.is_finished,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


class ExportView(PermissionMixin, WagtailAdminTemplateMixin, FormView):
    permission = PERMISSION
    template_name = "imports/admin/export.html"
    form_class = ExportForm
    page_title = gettext_lazy("Export")
    header_icon = "download"

    def form_valid(self, form):
        data = form.cleaned_data
        content, filename, content_type = export(
            data["kind"], data["format"], user=self.request.user, filters=form.filters()
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["log_url"] = reverse("imports_admin:export_log")
        return context


class ExportLogView(PermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    permission = PERMISSION
    template_name = "imports/admin/export_log.html"
    page_title = gettext_lazy("Export log")
    header_icon = "list-ul"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = ExportLog.objects.select_related("user")[:200]
        return context
