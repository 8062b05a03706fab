"""Matching signatures from elected officials against the official register (RNE).

The signing flow's verification step calls match_signature(signature) after the email is confirmed:
an exact match (same name and first name, same territory, compatible office, still in office) lets
it verify the signature at once; near matches are stored as RegisterCandidate rows that the
moderation queue shows next to the signature.
"""

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.db import transaction
from django.db.models import Q

from signatories.imports.normalise import normalise, normalise_place

from .models import Mandate, RegisterCandidate, RegisterEntry

NEAR_MATCH_THRESHOLD = 60
MAX_CANDIDATES = 5

# Words in the office a signer typed -> the mandates it is compatible with.
OFFICE_WORDS = (
    ("maire", {Mandate.MAIRES, Mandate.CONSEILLERS_MUNICIPAUX}),
    ("adjoint", {Mandate.CONSEILLERS_MUNICIPAUX, Mandate.MAIRES}),
    ("municipal", {Mandate.CONSEILLERS_MUNICIPAUX, Mandate.MAIRES}),
    ("communautaire", {Mandate.CONSEILLERS_COMMUNAUTAIRES}),
    ("intercommunal", {Mandate.CONSEILLERS_COMMUNAUTAIRES}),
    ("departement", {Mandate.CONSEILLERS_DEPARTEMENTAUX}),
    ("region", {Mandate.CONSEILLERS_REGIONAUX}),
    ("depute", {Mandate.DEPUTES}),
    ("senat", {Mandate.SENATEURS}),
)


@dataclass
class RegisterMatch:
    exact: object = None  # a register entry matching name, territory and office: verify at once
    candidates: list = field(default_factory=list)  # near matches, shown in the moderation queue


def offices_for_title(title):
    """The mandates a typed office is compatible with; every mandate when it says nothing useful."""
    words = normalise(title)
    if words.split()[:1] == ["maire"] and "adjoint" not in words and "conseil" not in words:
        return {Mandate.MAIRES}
    mandates = set()
    for word, compatible in OFFICE_WORDS:
        if word in words:
            mandates |= compatible
    return mandates or set(Mandate.values)


def _territory_matches(signature, entry):
    """True when the signer's commune or département is the entry's territory."""
    insee = (signature.insee_code or "").strip().upper()
    dep_code = signature.departement.code if signature.departement_id else ""
    if entry.commune_code:
        if insee:
            return insee == entry.commune_code
        commune = normalise_place(signature.commune)
        return (
            bool(commune)
            and commune == normalise_place(entry.commune_name)
            and (not dep_code or dep_code == entry.departement_code)
        )
    if entry.departement_code:
        return bool(dep_code) and dep_code == entry.departement_code
    return False


def _score(signature, entry, offices):
    """0..100 and the reasons, from names, territory and office."""
    last, first = normalise(signature.last_name), normalise(signature.first_name)
    last_ratio = SequenceMatcher(None, last, entry.normalised_last_name).ratio()
    first_ratio = SequenceMatcher(None, first, entry.normalised_first_name).ratio()
    territory = _territory_matches(signature, entry)
    office = entry.mandate in offices
    reasons = []
    score = 40 * last_ratio + 25 * first_ratio
    if last_ratio == 1 and first_ratio == 1:
        reasons.append("same name")
    elif last_ratio >= 0.8:
        reasons.append("similar name")
    if territory:
        score += 25
        reasons.append("same territory")
    if office:
        score += 10
        reasons.append("compatible office")
    if not entry.active:
        score -= 20
        reasons.append("left office")
    return max(0, min(100, round(score))), territory, office, ", ".join(reasons)


def find_matches(signature):
    """RegisterMatch for a signature, without storing anything."""
    from signatories.models import Signature

    if signature.category != Signature.Category.ELECTED:
        return RegisterMatch()
    last = normalise(signature.last_name)
    if not last:
        return RegisterMatch()
    insee = (signature.insee_code or "").strip().upper()
    place = Q(normalised_last_name=last)
    if insee:
        place |= Q(commune_code=insee)
    elif signature.departement_id:
        place |= Q(
            departement_code=signature.departement.code, normalised_last_name__startswith=last[:3]
        )
    entries = RegisterEntry.objects.filter(place)[:500]
    offices = offices_for_title(signature.title)
    first = normalise(signature.first_name)
    exact, scored = None, []
    for entry in entries:
        score, territory, office, reasons = _score(signature, entry, offices)
        same_name = entry.normalised_last_name == last and entry.normalised_first_name == first
        if same_name and territory and office and entry.active and exact is None:
            exact = entry
            continue
        if score >= NEAR_MATCH_THRESHOLD:
            scored.append((score, entry, reasons))
    scored.sort(key=lambda item: -item[0])
    candidates = [(entry, score, reasons) for score, entry, reasons in scored[:MAX_CANDIDATES]]
    return RegisterMatch(exact=exact, candidates=candidates)


def match_signature(signature, *, store=True):
    """Match a signature against the register; store near matches as RegisterCandidate rows.

    RegisterMatch.exact is the entry to verify against (None if none); RegisterMatch.candidates
    holds (entry, score, reasons) tuples, best first.
    """
    match = find_matches(signature)
    if store and signature.pk:
        with transaction.atomic():
            RegisterCandidate.objects.filter(signature=signature).delete()
            if match.exact is None:
                RegisterCandidate.objects.bulk_create(
                    RegisterCandidate(
                        signature=signature, entry=entry, score=score, reasons=reasons
                    )
                    for entry, score, reasons in match.candidates
                )
    return match
