"""The engine every kind goes through: one formula rule, headers as the file writes them, a fixed
number of queries per chunk, and nothing half-imported."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from signatories.imports.engine import import_table
from signatories.models import Signatory, Signature
from signatories.signals import signature_status_changed
from tests.factories import CampaignFactory, SignatureFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "email;first_name;last_name;category;postcode;consent_newsletter;consent_text;consented_at\n"
)


def rows(count, start=0):
    return "".join(
        f"p{n}@example.org;Anne;Martin{n};individual;69100;oui;J'accepte.;14/03/2026\n"
        for n in range(start, start + count)
    )


@pytest.fixture
def campaign():
    return CampaignFactory()


def test_queries_do_not_grow_with_the_rows(write_file, campaign):
    """Existing signatories and signatures are read per chunk, saved in bulk: no query per row."""
    SignatureFactory(campaign=campaign, signatory__email="p3@example.org", source="paper")
    counts = []
    for count in (10, 40):
        Signature.objects.exclude(signatory__email="p3@example.org").delete()
        with CaptureQueriesContext(connection) as queries:
            report = import_table(
                write_file(HEADER + rows(count)),
                "csv",
                "signatures",
                campaign=campaign,
                dry_run=True,
            )
        assert report.ok and report.new == count - 1 and report.updated == 1, report.as_dict()
        counts.append(len(queries))
    # The same queries for 40 rows as for 10, but for the batches SQLite splits a bulk insert in.
    assert counts[1] <= counts[0] + (2 if connection.vendor == "sqlite" else 0), counts


def test_the_formula_rule(write_file, campaign):
    """Text beginning with "=" is a formula and refused; "+", "-" and "@" are text (a phone
    number, a name), which exports neutralise and our own exports bring back."""
    content = (
        "first_name;last_name;title;category\n"
        "Anne;@Martin;+33 4 78 00 00 00;individual\n"
        "Paul;'=SOMME(A1:A2);-2+3;individual\n"
        "Zoé;=1+1;;individual\n"
    )
    report = import_table(write_file(content), "csv", "signatures", campaign=campaign)
    assert report.errors == [
        {"row": 4, "messages": ["column “last_name”: holds a formula, which is not accepted"]}
    ]
    content = content.replace("Zoé;=1+1", "Zoé;Petit")
    report = import_table(write_file(content), "csv", "signatures", campaign=campaign)
    assert report.committed
    assert set(Signature.objects.values_list("last_name", "title")) == {
        ("@Martin", "+33 4 78 00 00 00"),
        ("=SOMME(A1:A2)", "-2+3"),  # one of our exports, neutralised with an apostrophe
        ("Petit", ""),
    }


def test_headers_match_in_any_case_and_errors_name_them_as_written(write_file, campaign):
    content = "Last_Name;CATEGORY;Signed_At;Remarques\nMartin;individual;30/02/2026;x\n"
    report = import_table(write_file(content), "csv", "signatures", campaign=campaign)
    assert report.ignored_columns == ["Remarques"]
    assert report.errors[0]["messages"] == [
        "column “Signed_At”: impossible date “30/02/2026” (expected dd/mm/yyyy or yyyy-mm-dd)"
    ]


def test_nothing_is_half_imported(write_file, campaign, monkeypatch):
    """A bad row in the last chunk: the chunks before it, written, are rolled back."""
    monkeypatch.setattr("signatories.imports.engine.CHUNK_SIZE", 3)
    content = HEADER + rows(7) + "bad@;Bob;Durand;individual;69100;non;;\n"
    report = import_table(write_file(content), "csv", "signatures", campaign=campaign)
    assert report.total == 8 and report.invalid == 1 and report.errors[0]["row"] == 9
    assert not report.committed
    assert Signature.objects.count() == 0 and Signatory.objects.count() == 0


def test_the_dry_run_tells_no_receiver(write_file, campaign):
    received = []
    signature_status_changed.connect(
        lambda **kw: received.append(kw["signature"].pk), weak=False, dispatch_uid="t-dry"
    )
    try:
        dry = import_table(
            write_file(HEADER + rows(3)), "csv", "signatures", campaign=campaign, dry_run=True
        )
        assert dry.new == 3 and received == []
        done = import_table(write_file(HEADER + rows(3)), "csv", "signatures", campaign=campaign)
    finally:
        signature_status_changed.disconnect(dispatch_uid="t-dry")
    assert done.committed and sorted(received) == sorted(
        Signature.objects.values_list("pk", flat=True)
    )


def test_an_unknown_kind(write_file):
    report = import_table(write_file(HEADER + rows(1)), "csv", "petitions")
    assert report.file_problem == "Nothing imports files of the kind “petitions”."
