"""Two-factor authentication pages of the admin: verify a code, enrol an app, backup codes, and
the person's own settings (replace the app, new backup codes, turn off when not required)."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import otp

# Set by "replace my authenticator" (after a valid code) so the enrolment page opens for a user
# who already has a device.
SESSION_REPLACING = "otp_replacing"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def refuse(self, result):
        if result.wait_seconds:
            message = ngettext(
                "Too many wrong codes. Wait %(seconds)d second, then try again.",
                "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
                result.wait_seconds,
            ) % {"seconds": result.wait_seconds}
        else:
            message = _(
                "This code is not valid. Type the latest code shown by the app; if it is still "
                "refused, check that your phone's clock is set automatically."
            )
        self.add_error("code", message)


class SetupCodeForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("The 6-digit code the app shows for this account.")
        self.fields["code"].widget.attrs.update({"inputmode": "numeric", "pattern": "[0-9 ]*"})


class VerifyCodeForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "The 6-digit code shown by your authenticator app, or one of your backup codes."
        )


def admin_user_required(view):
    """Signed in with access to the admin; the 2FA pages are exempt from the middleware."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
        if not otp.is_admin_user(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


@admin_user_required
def verify(request):
    user = request.user
    next_url = otp.safe_next(request)
    if not otp.has_two_factor(user):
        if otp.two_factor_required():
            return redirect(otp.url_with_next("two_factor:setup", next_url))
        return redirect(next_url)
    if otp.is_verified(user):
        return redirect(next_url)

    form = VerifyCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = otp.verify_session(request, form.cleaned_data["code"])
        if result.ok:
            return redirect(next_url)
        form.refuse(result)
    return render(request, "staff/otp/verify.html", {"form": form, "next": next_url})


@admin_user_required
def setup(request):
    user = request.user
    next_url = otp.safe_next(request)
    replacing = False
    if otp.has_two_factor(user):
        if not otp.is_verified(user):
            return redirect(otp.url_with_next("two_factor:verify", next_url))
        # Replacing a phone: the current device keeps working until the new one is confirmed.
        replacing = request.session.get(SESSION_REPLACING, False)
        if not replacing:
            messages.info(
                request, _("Two-factor authentication is already set up for your account.")
            )
            return redirect("two_factor:index")

    device = otp.pending_device(user)
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result, codes = otp.confirm_device(request, device, form.cleaned_data["code"])
        if result.ok:
            request.session.pop(SESSION_REPLACING, None)
            request.session[otp.SESSION_BACKUP_CODES] = codes
            messages.success(request, _("Two-factor authentication is now on for your account."))
            return redirect(otp.url_with_next("two_factor:backup_codes", next_url))
        form.refuse(result)
    context = {
        "form": form,
        "next": next_url,
        "qr_code": otp.qr_code_svg(
            device.config_url, _("QR code to scan with your authenticator app")
        ),
        "secret": otp.secret_base32(device),
        "required": otp.two_factor_required(),
        "replacing": replacing,
    }
    return render(request, "staff/otp/setup.html", context)


@admin_user_required
def backup_codes(request):
    """Shows freshly made backup codes once: they are only in the session until this page."""
    if otp.has_two_factor(request.user) and not otp.is_verified(request.user):
        return redirect(otp.url_with_next("two_factor:verify", request.get_full_path()))
    codes = request.session.pop(otp.SESSION_BACKUP_CODES, None)
    if not codes:
        return redirect("two_factor:index")
    context = {"codes": codes, "next": otp.safe_next(request)}
    return render(request, "staff/otp/backup_codes.html", context)


class ManageView(WagtailAdminTemplateMixin, TemplateView):
    """The person's own two-factor settings; every change asks for a current code."""

    template_name = "staff/otp/manage.html"
    page_title = gettext_lazy("Two-factor authentication")
    header_icon = "key"
    breadcrumbs_items = [
        {"url": reverse_lazy("wagtailadmin_home"), "label": gettext_lazy("Home")},
        {"url": reverse_lazy("wagtailadmin_account"), "label": gettext_lazy("Account")},
    ]
    actions = ("replace", "backup_codes", "disable")

    def dispatch(self, request, *args, **kwargs):
        self.device = otp.confirmed_device(request.user)
        if self.device and not otp.is_verified(request.user):
            return redirect(otp.url_with_next("two_factor:verify", request.get_full_path()))
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "device": self.device,
                "backup_codes_left": otp.backup_codes_left(self.request.user),
                "required": otp.two_factor_required(),
                "form": form or VerifyCodeForm(),
            }
        )
        return context

    def post(self, request):
        action = request.POST.get("action")
        if self.device is None or action not in self.actions:
            return redirect("two_factor:index")
        if action == "disable" and otp.two_factor_required():
            raise PermissionDenied
        form = VerifyCodeForm(request.POST)
        if form.is_valid():
            result = otp.check_code(request.user, form.cleaned_data["code"])
            if result.ok:
                return self.act(action)
            form.refuse(result)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def act(self, action):
        request = self.request
        if action == "backup_codes":
            request.session[otp.SESSION_BACKUP_CODES] = otp.replace_backup_codes(request.user)
            messages.success(request, _("New backup codes were made; the old ones no longer work."))
            return redirect(
                otp.url_with_next("two_factor:backup_codes", reverse("two_factor:index"))
            )
        if action == "replace":
            request.session[SESSION_REPLACING] = True
            return redirect(otp.url_with_next("two_factor:setup", reverse("two_factor:index")))
        otp.reset_two_factor(request.user)
        messages.success(request, _("Two-factor authentication is now off for your account."))
        return redirect("two_factor:index")


manage = admin_user_required(ManageView.as_view())
