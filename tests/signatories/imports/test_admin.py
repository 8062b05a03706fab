"""The admin flow: upload -> dry run -> preview -> confirm -> background import -> progress;
exports limited to the permission and logged."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from signatories.imports.models import ExportLog, ImportJob
from signatories.models import Signature
from signatories.register.models import RegisterEntry
from tests.factories import CampaignFactory, SignatureFactory

from ..register.rne_files import MAIRES, register_csv

pytestmark = pytest.mark.django_db

# The worker closes "old" connections, which on PostgreSQL ends a test's own transaction: the
# tests that run it commit for real.
WORKER = pytest.mark.django_db(transaction=True, serialized_rollback=True)


PAPER = "first_name;last_name;category;postcode\nJeanne;Moreau;professional;69003\nPaul;Girard;individual;38000\n"


def upload(client, content, name="paper.csv", **data):
    data.setdefault("kind", "signatures")
    data["file"] = SimpleUploadedFile(
        name, content if isinstance(content, bytes) else content.encode()
    )
    return client.post(reverse("imports_admin:create"), data)


@WORKER
def test_upload_dry_run_confirm_import(
    client, staff, run_tasks, django_capture_on_commit_callbacks, settings
):
    campaign = CampaignFactory()
    client.force_login(staff)
    assert client.get(reverse("imports_admin:create")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            client, PAPER, campaign=campaign.pk, source="paper", source_detail="Salon"
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "imports_admin:detail", args=[job.pk]
    )
    assert job.state == ImportJob.State.UPLOADED and job.created_by == staff

    page = client.get(response.url)
    assert page.status_code == 200 and b"import-progress" in page.content
    progress = client.get(reverse("imports_admin:progress", args=[job.pk])).json()
    assert progress["state"] == "uploaded" and not progress["finished"]

    run_tasks()  # the dry run
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED
    assert (job.total_rows, job.new_count, job.invalid_count) == (2, 2, 0)
    assert Signature.objects.count() == 0
    page = client.get(reverse("imports_admin:detail", args=[job.pk])).content.decode()
    assert "Confirm the import" in page or "Confirmer" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports_admin:confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportJob.State.QUEUED and job.confirmed_by == staff
    # A second confirmation (double click) queues nothing more.
    client.post(reverse("imports_admin:confirm", args=[job.pk]))

    stored = Path(job.file.path)
    assert stored.is_file() and str(stored).startswith(str(settings.IMPORTS_FILE_ROOT))
    run_tasks()  # the import
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert not stored.exists() and not job.file  # no copy of the personal data is kept
    index = client.get(reverse("imports_admin:index")).content.decode()
    assert "paper.csv" in index and "Salon" not in index
    assert (
        Signature.objects.filter(campaign=campaign, source="paper", source_detail="Salon").count()
        == 2
    )
    progress = client.get(reverse("imports_admin:progress", args=[job.pk])).json()
    assert progress == {
        **progress,
        "state": "done",
        "percent": 100,
        "finished": True,
        "processed": 2,
    }


@WORKER
def test_invalid_file_shows_rows_and_cannot_be_confirmed(
    client, staff, run_tasks, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory()
    client.force_login(staff)
    content = PAPER + "<script>alert(1)</script>;Durand;bogus;99999\n"
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, content, campaign=campaign.pk, source="paper")
    run_tasks()
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.INVALID and job.invalid_count == 1
    page = client.get(reverse("imports_admin:detail", args=[job.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "bogus" in page and "99999" in page
    client.post(reverse("imports_admin:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == ImportJob.State.INVALID
    assert Signature.objects.count() == 0


@WORKER
def test_register_upload(client, staff, run_tasks, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client,
            register_csv("maires", MAIRES),
            "elus-maires.csv",
            kind="register",
            mandate="maires",
        )
    run_tasks()
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.CHECKED and job.new_count == 4
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports_admin:confirm", args=[job.pk]))
    run_tasks()
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and RegisterEntry.objects.count() == 4


@pytest.mark.parametrize(
    ("data", "content", "name", "message"),
    [
        ({}, PAPER, "paper.csv", "Choose the campaign"),
        ({"campaign": "x"}, PAPER, "paper.pdf", "Upload a .csv, .xlsx or .json file"),
        ({"campaign": "x"}, b"", "empty.csv", "empty"),
    ],
)
def test_upload_form_errors(client, staff, data, content, name, message):
    client.force_login(staff)
    if "campaign" in data:
        data["campaign"] = CampaignFactory().pk
    response = upload(client, content, name, **data)
    assert response.status_code == 200
    assert message in response.content.decode() or ImportJob.objects.count() == 0
    assert ImportJob.objects.count() == 0


def test_imports_need_the_permission(client, editor):
    client.force_login(editor)
    response = client.get(reverse("imports_admin:index"))
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert upload(client, PAPER).status_code == 302
    assert ImportJob.objects.count() == 0


def test_export_of_personal_data_needs_the_permission(client, editor):
    client.force_login(editor)
    response = client.post(reverse("imports_admin:export"), {"kind": "signatures", "format": "csv"})
    assert response.status_code == 302
    assert ExportLog.objects.count() == 0


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_filtered_export_is_logged(client, staff, file_format):
    campaign = CampaignFactory()
    kept = SignatureFactory(
        campaign=campaign, confirmed=True, category="elected", last_name="Gardé"
    )
    SignatureFactory(campaign=campaign, confirmed=True, category="individual", last_name="Filtré")
    SignatureFactory(campaign=campaign, category="elected", last_name="EnAttente")
    client.force_login(staff)
    assert client.get(reverse("imports_admin:export")).status_code == 200
    response = client.post(
        reverse("imports_admin:export"),
        {
            "kind": "signatures",
            "format": file_format,
            "campaign": campaign.pk,
            "category": "elected",
            "status": "confirmed",
            "departement": kept.departement.pk,
        },
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="signatures-')
    if file_format == "json":
        rows = json.loads(response.content)
        assert [row["last_name"] for row in rows] == ["Gardé"]
        assert rows[0]["email"] == kept.signatory.email
    elif file_format == "csv":
        text = response.content.decode("utf-8-sig")
        assert "Gardé" in text and "Filtré" not in text and "EnAttente" not in text
    log = ExportLog.objects.get()
    assert log.user == staff and log.kind == "signatures" and log.format == file_format
    assert log.row_count == 1 and log.personal_data
    assert log.filters["category"] == "elected" and log.filters["campaign"]["id"] == campaign.pk
    page = client.get(reverse("imports_admin:export_log"))
    assert page.status_code == 200 and b"signatures" in page.content


def test_export_command_is_logged(tmp_path):
    from django.core.management import call_command

    campaign = CampaignFactory(slug="lettre")
    SignatureFactory(campaign=campaign, confirmed=True)
    out = tmp_path / "s.xlsx"
    call_command(
        "export_data",
        "--kind",
        "signatures",
        "--format",
        "xlsx",
        "--campaign",
        "lettre",
        "-o",
        str(out),
    )
    assert out.read_bytes()[:2] == b"PK"
    assert ExportLog.objects.get().user is None


def test_menu_shows_imports_to_staff_only(client, staff, editor):
    client.force_login(staff)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("imports_admin:index") in page and reverse("imports_admin:export") in page
    client.force_login(editor)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("imports_admin:index") not in page
