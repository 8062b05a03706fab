"""Pages a signer touches. Thin: forms validate, services decide, templates show."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from campaigns.models import Campaign

from . import abuse, confirmation, intake, lifecycle, privacy, tasks, tokens
from .counts import cache_key, get_counts, progress
from .forms import SignatureForm
from .models import Departement, Signature


def public_cache(response):
    """Shared caches may keep it briefly and serve it stale while refreshing or failing."""
    max_age = settings.PUBLIC_CACHE_MAX_AGE
    patch_cache_control(
        response,
        public=True,
        max_age=max_age,
        stale_while_revalidate=max_age * 5,
        stale_if_error=86400,
    )
    return response


def new_form(campaign):
    return SignatureForm(initial={"form_token": abuse.make_form_token(campaign)})


def challenge_error_message(reason):
    if reason == "expired":
        return _("The anti-robot check expired. Please wait for it to complete again, then send.")
    if reason == "replayed":
        return _("This anti-robot check was already used. Please wait for a new one, then send.")
    return _("The anti-robot check failed. Please wait for it to complete, then send again.")


def _campaign_or_404(slug):
    try:
        return Campaign.objects.get_memoized(slug)
    except Campaign.DoesNotExist as error:
        raise Http404 from error


@csrf_exempt  # the form sits on a publicly cached page: a signed form token replaces CSRF
@never_cache
@require_http_methods(["GET", "POST"])
def sign(request, slug):
    campaign = _campaign_or_404(slug)
    if not campaign.is_open():
        return render(request, "signatories/closed.html", {"campaign": campaign}, status=200)
    if request.method == "GET":
        return render(
            request, "signatories/sign.html", {"campaign": campaign, "form": new_form(campaign)}
        )

    form = SignatureForm(request.POST)

    def redisplay(error=None):
        if error:
            form.add_error(None, error)
        data = request.POST.copy()
        data["form_token"] = abuse.make_form_token(campaign)  # lets the corrected form through
        display = form.for_display(data)
        return render(request, "signatories/sign.html", {"campaign": campaign, "form": display})

    valid = form.is_valid()
    try:
        elapsed = abuse.check_form_token(request.POST.get("form_token"), campaign)
    except abuse.FormTokenError:
        form.add_error(
            None, _("This form has expired. Please check your details and send it again.")
        )
        valid = False
    payload = request.POST.get("altcha", "").strip()
    challenge = None
    if valid and payload:
        try:
            challenge = abuse.verify_challenge(payload)
        except abuse.ChallengeError as error:
            return redisplay(challenge_error_message(error.reason))
    if not valid:
        return redisplay()

    data = form.cleaned_data
    form.release()
    verdict = abuse.assess(honeypot=bool(data.get("website")), elapsed=elapsed, challenge=challenge)
    try:
        intake.record_signature(
            campaign,
            data,
            verdict=verdict,
            challenge=challenge,
            ip_hash=abuse.request_ip_hash(request),
            language=_language(),
        )
    except intake.ChallengeReplayed:
        return redisplay(challenge_error_message("replayed"))
    return _see_other(reverse("signatories:check_inbox", args=[campaign.slug]))


def _language():
    return get_language() or settings.LANGUAGE_CODE


def _see_other(url):
    response = HttpResponse(status=303)
    response["Location"] = url
    return response


@never_cache
@require_GET
def check_inbox(request, slug):
    campaign = get_object_or_404(Campaign, slug=slug)
    return render(request, "signatories/check_inbox.html", {"campaign": campaign})


@never_cache
@require_http_methods(["GET", "POST"])
def resend(request):
    """Ask for the confirmation link again. The answer never says whether the address is known."""
    campaign = Campaign.objects.filter(
        slug=request.GET.get("campaign") or request.POST.get("campaign")
    ).first()
    if request.method == "POST":
        email = request.POST.get("email", "").strip()[:254]
        if "@" in email:
            intake.record_resend(
                campaign,
                email,
                ip_hash=abuse.request_ip_hash(request),
                language=_language(),
            )
            if campaign:
                return _see_other(reverse("signatories:check_inbox", args=[campaign.slug]))
            messages.info(
                request,
                _("If a signature is waiting for this address, we have sent its link again."),
            )
            return _see_other(reverse("signatories:resend"))
        error = _("Enter a valid email address.")
        return render(
            request,
            "signatories/resend.html",
            {"campaign": campaign, "error": error, "email": email},
        )
    return render(request, "signatories/resend.html", {"campaign": campaign})


def bad_link(request, error, purpose):
    return render(
        request,
        "signatories/bad_link.html",
        {"expired": error.expired, "purpose": purpose},
        status=400,
    )


@never_cache
@csrf_exempt  # the signed link is the proof; a mail client's first visit has no CSRF cookie
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The link opens a page with a button: only its POST confirms, so a link scanner that opens
    every link of an email (GET) confirms nothing."""
    try:
        signature = tokens.read_token(token, "confirm")
    except tokens.BadToken as error:
        return bad_link(request, error, "confirm")
    campaign = signature.campaign
    if request.method == "GET":
        return render(
            request, "signatories/confirm.html", {"signature": signature, "campaign": campaign}
        )
    outcome = confirmation.confirm(signature)
    signature.refresh_from_db()
    return render(
        request,
        "signatories/confirmed.html",
        {"signature": signature, "campaign": campaign, "outcome": outcome},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request, token):
    try:
        signature = tokens.read_token(token, "withdraw")
    except tokens.BadToken as error:
        return bad_link(request, error, "withdraw")
    campaign = signature.campaign
    if request.method == "POST":
        erase = request.POST.get("action") == "erase"
        email = signature.signatory.email if signature.signatory else ""
        language = signature.language
        was_withdrawn = signature.status == Signature.Status.WITHDRAWN
        lifecycle.withdraw(signature, erase=erase)
        if not erase and not was_withdrawn and email:
            tasks.send_signature_email.enqueue(signature.pk, "withdrawn")
        return render(
            request,
            "signatories/withdrawn.html",
            {"campaign": campaign, "erased": erase, "language": language},
        )
    return render(
        request, "signatories/withdraw.html", {"signature": signature, "campaign": campaign}
    )


@never_cache
@require_http_methods(["GET", "POST"])
def data_request(request):
    """Ask for a copy of one's data: a link is emailed to the address if we know it."""
    if request.method == "POST":
        email = request.POST.get("email", "").strip()[:254]
        if "@" not in email:
            return render(
                request,
                "signatories/data_request.html",
                {"error": _("Enter a valid email address."), "email": email},
            )
        intake.record_data_request(
            email, ip_hash=abuse.request_ip_hash(request), language=_language()
        )
        return render(request, "signatories/data_request.html", {"sent": True})
    return render(request, "signatories/data_request.html", {})


@never_cache
@require_GET
def data_copy(request, token):
    try:
        signature = tokens.read_token(token, "data")
    except tokens.BadToken as error:
        return bad_link(request, error, "data")
    if signature.signatory is None:
        return bad_link(request, tokens.BadToken(), "data")
    data = privacy.export_data(signature.signatory)
    if request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="mes-donnees-signature.json"'
        return response
    labels = data_labels()
    sections = [
        {
            "campaign": item["campaign"],
            "rows": [
                (labels.get(key, key), value) for key, value in item.items() if key != "campaign"
            ],
        }
        for item in data["signatures"]
    ]
    return render(
        request, "signatories/data_copy.html", {"data": data, "sections": sections, "token": token}
    )


def data_labels():
    """Readable labels for the keys of the data copy, from the model's own field names."""
    field = Signature._meta.get_field
    labels = {
        name: field(name).verbose_name
        for name in (
            "status",
            "category",
            "first_name",
            "last_name",
            "title",
            "insee_code",
            "siren",
            "postcode",
            "commune",
            "departement",
            "language",
            "consent_version",
            "consented_at",
            "confirmed_at",
            "source",
        )
    }
    labels.update(
        organisation=field("organisation_name").verbose_name,
        kind_of_authority=field("authority_kind").verbose_name,
        listed_publicly=field("consent_public").verbose_name,
        newsletters=field("consent_newsletter").verbose_name,
        consent_wording=field("consent_text").verbose_name,
        signed_at=field("created_at").verbose_name,
        verified=Signature.Status.VERIFIED.label,
    )
    return labels


CATEGORY_ORDER = [c.value for c in Signature.Category]


@require_GET
def public_list(request, slug):
    campaign = get_object_or_404(Campaign, slug=slug)
    signatures = Signature.objects.public().filter(campaign=campaign).select_related("departement")
    category = request.GET.get("category", "")
    if category in Signature.Category.values:
        signatures = signatures.filter(category=category)
    else:
        category = ""
    departement = request.GET.get("departement", "")[:3]
    if departement:
        signatures = signatures.filter(departement__code=departement)
    query = " ".join(request.GET.get("q", "").split())[:100]
    for term in query.split()[:5]:
        signatures = signatures.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(organisation_name__icontains=term)
            | Q(commune__icontains=term)
        )
    signatures = signatures.annotate(
        category_rank=Case(
            *(When(category=value, then=Value(rank)) for rank, value in enumerate(CATEGORY_ORDER)),
            output_field=IntegerField(),
        )
    ).order_by("category_rank", "departement__code", "last_name", "first_name", "pk")
    paginator = Paginator(signatures, settings.SIGNATURES_PUBLIC_LIST_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    summary = get_counts(campaign)
    categories = [
        {"value": value, "label": label, "count": summary["by_category"].get(value, 0)}
        for value, label in Signature.Category.choices
    ]
    params = request.GET.copy()
    params.pop("page", None)
    response = render(
        request,
        "signatories/public_list.html",
        {
            "campaign": campaign,
            "page_obj": page_obj,  # not "page": the site's templates take that for a Wagtail page
            "categories": categories,
            "departements": Departement.objects.all(),
            "selected_category": category,
            "selected_departement": departement,
            "query": query,
            "summary": summary,
            "progress": progress(summary),
            "querystring": params.urlencode(),
        },
    )
    return public_cache(response)


# --- API (not language-prefixed) ------------------------------------------------------------


@require_GET
def counts_json(request, slug):
    summary = cache.get(cache_key(slug))
    if summary is None:
        summary = get_counts(get_object_or_404(Campaign, slug=slug))
    response = JsonResponse(summary)
    response["Access-Control-Allow-Origin"] = "*"
    return public_cache(response)


@never_cache
@require_GET
def altcha_challenge(request):
    """A proof-of-work challenge; with ?campaign=<id>, the signing form's token too (header
    X-Form-Token), so that the publicly cached page holds nothing per visitor."""
    response = JsonResponse(abuse.create_challenge().to_dict())
    campaign = request.GET.get("campaign", "")
    if campaign.isdigit() and len(campaign) < 10:
        response["X-Form-Token"] = abuse.form_token_for(int(campaign))
    return response
