"""Benchmark: the delivery's PDF dossier for 20,000 public signatories (target < 60 s).

Creates a campaign with N confirmed, publicly listed signatures (invented names, spread over
categories and départements) in a scratch database, then times render_dossier_pdf() and reports
pages, size and peak memory.

    .venv/bin/python bench/dossier_pdf.py [--signatures 20000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h5_bench .venv/bin/python bench/dossier_pdf.py
"""

import argparse
import io
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "site")]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--signatures", type=int, default=20_000)
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/h5-bench-dossier.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from bench.register_import import fresh_database

    fresh_database(os.environ["DATABASE_URL"])
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True)

    import django

    django.setup()
    from django.utils import timezone
    from pypdf import PdfReader

    from bench.register_import import FIRST_NAMES, invented_name  # noqa: I001
    from campaigns.delivery.services import render_dossier_pdf
    from campaigns.models import Campaign
    from signatories.models import Departement, Signature

    rng = random.Random(7)
    campaign = Campaign.objects.create(
        title="Bench dossier", slug=f"bench-{time.time_ns()}", status="open"
    )
    departements = list(Departement.objects.all())
    categories = list(Signature.Category.values)
    now = timezone.now()
    batch = []
    for index in range(args.signatures):
        category = rng.choice(categories)
        official = category in Signature.VERIFIED_CATEGORIES
        batch.append(
            Signature(
                campaign=campaign,
                category=category,
                status=Signature.Status.VERIFIED if official else Signature.Status.CONFIRMED,
                verified_at=now if official else None,
                first_name=rng.choice(FIRST_NAMES),
                last_name=invented_name(rng).title(),
                title=rng.choice(["", "Bibliothécaire", "Maire", "Directrice de médiathèque"]),
                organisation_name=rng.choice(
                    ["", "Médiathèque municipale", "Association des amis du livre"]
                ),
                departement=rng.choice(departements),
                consent_public=True,
                source=Signature.Source.PAPER,
                token=f"bench{index}",
            )
        )
    Signature.objects.bulk_create(batch, batch_size=1000)
    print(f"{args.signatures:,} public signatures created")

    load = os.getloadavg()[0]
    cpu_before = time.process_time()
    start = time.perf_counter()
    pdf, count = render_dossier_pdf(campaign)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_before
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    verdict = "OK" if elapsed < 60 else "TOO SLOW"
    print(
        f"dossier: {count:,} signatories, {pages} pages, {len(pdf) / 1e6:.1f} MB, "
        f"{elapsed:.1f} s wall ({verdict}), {cpu:.1f} s CPU, peak memory {peak:.0f} MB, "
        f"load average {load:.1f} before"
    )


if __name__ == "__main__":
    main()
