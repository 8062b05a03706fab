import datetime

import pytest

from signatories.imports.normalise import normalise, normalise_place
from signatories.models import Signature
from signatories.register.matching import match_signature, offices_for_title
from signatories.register.models import Mandate, RegisterCandidate
from tests.factories import DepartementFactory, SignatureFactory

from .rne_files import MAIRES, import_register, maire, register_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "maires.csv"
    path.write_bytes(register_csv("maires", MAIRES))
    assert import_register(path, "maires").committed
    path = tmp_path / "cm.csv"
    councillors = [
        maire("69266", "Villeurbanne", "MARTIN", "Luc", datetime.date(1975, 3, 3))
        | {"function": "Adjoint au maire chargé de la culture"},
        maire("69266", "Villeurbanne", "BERNARD-LÉVÊQUE", "Cédric"),
    ]
    path.write_bytes(register_csv("cm", councillors))
    assert import_register(path, "cm").committed


def official(**kwargs):
    values = {
        "category": Signature.Category.ELECTED,
        "first_name": "Cédric",
        "last_name": "Bernard Leveque",
        "title": "Maire",
        "commune": "Villeurbanne",
        "insee_code": "69266",
        "departement": DepartementFactory(code="69"),
        "confirmed": True,
    }
    values.update(kwargs)
    return SignatureFactory(**values)


def test_normalise():
    assert normalise("  BERNARD-LÉVÊQUE ") == "bernard leveque"
    assert normalise("d’Œillet") == "d oeillet"
    assert normalise_place("St-Étienne") == normalise_place("Saint Etienne") == "saint etienne"


def test_offices():
    assert offices_for_title("Maire") == {Mandate.MAIRES}
    assert Mandate.CONSEILLERS_MUNICIPAUX in offices_for_title("Adjointe au maire")
    assert offices_for_title("Députée") == {Mandate.DEPUTES}
    assert offices_for_title("Vice-présidente du conseil départemental") == {
        Mandate.CONSEILLERS_DEPARTEMENTAUX
    }


def test_exact_match_by_insee_code(register):
    match = match_signature(official())
    assert match.exact is not None
    assert match.exact.mandate == Mandate.MAIRES and match.exact.commune_code == "69266"


def test_exact_match_by_commune_name_and_departement(register):
    match = match_signature(official(insee_code="", commune="villeurbanne"))
    assert match.exact is not None and match.exact.commune_name == "Villeurbanne"


def test_adjoint_matches_the_councillor_entry(register):
    signature = official(first_name="Luc", last_name="Martin", title="Adjoint à la culture")
    match = match_signature(signature)
    assert match.exact.mandate == Mandate.CONSEILLERS_MUNICIPAUX


def test_near_matches_are_stored_as_candidates(register):
    signature = official(last_name="Bernard-Leveques")  # a typo
    match = match_signature(signature)
    assert match.exact is None
    assert match.candidates and match.candidates[0][0].normalised_last_name == "bernard leveque"
    stored = list(signature.register_candidates.all())
    assert stored and stored[0].score >= 60 and "same territory" in stored[0].reasons
    # Matching again replaces the candidates rather than piling them up.
    match_signature(signature)
    assert RegisterCandidate.objects.filter(signature=signature).count() == len(stored)


def test_wrong_commune_is_no_exact_match(register):
    signature = official(
        insee_code="01001",
        commune="L'Abergement-Clémenciat",
        departement=DepartementFactory(code="01"),
    )
    match = match_signature(signature)
    assert match.exact is None
    assert any(entry.commune_code == "69266" for entry, _score, _why in match.candidates)


def test_someone_who_left_office_is_not_verified(register, tmp_path):
    path = tmp_path / "maires-next.csv"
    path.write_bytes(register_csv("maires", MAIRES[1:]))
    import_register(path, "maires")
    assert match_signature(official()).exact is None


def test_other_categories_are_not_matched(register):
    signature = official(category=Signature.Category.INDIVIDUAL)
    assert match_signature(signature).exact is None


def test_signing_flow_verifies_through_the_register(register):
    verification = pytest.importorskip("signatories.verification")
    signature = official(email_domain="gmail.com")
    method = verification.verify_after_confirmation(signature)
    signature.refresh_from_db()
    assert method == Signature.VerificationMethod.REGISTER
    assert signature.status == Signature.Status.VERIFIED
    assert signature.verification_method == Signature.VerificationMethod.REGISTER


def test_candidates_template_and_admin(register, client, admin_user):
    from django.template.loader import render_to_string
    from django.urls import reverse

    signature = official(last_name="Bernard-Leveques")
    match_signature(signature)
    html = render_to_string("register/candidates.html", {"signature": signature})
    assert "Cédric BERNARD-LÉVÊQUE" in html and "Villeurbanne" in html
    client.force_login(admin_user)
    response = client.get(reverse("register_entries:index"), {"q": "martin"})
    assert response.status_code == 200 and b"MARTIN" in response.content
    assert client.get(reverse("register_entries:add")).status_code == 302  # read-only
