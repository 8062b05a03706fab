"""Benchmark: a 60,000-row signature file (CSV and XLSX) checked and imported as the admin does.

    .venv/bin/python bench/tabular_import.py                      # 60,000 signatures, 35,000 maires
    .venv/bin/python bench/tabular_import.py --rows 5000 --register-rows 5000 --formats csv
    .venv/bin/python bench/tabular_import.py --root /tmp/before   # the same run on another checkout

Recreates the PostgreSQL database `lettre_bench_import` (`BENCH_PG`), migrates it, and writes with
invented people (French first and last names, real communes with their INSEE codes and postcodes,
the five categories, consents, dates) one signature file per format, plus a copy with a few bad
rows. Each step then runs in a child process of its own, through the admin's path: an ImportJob
is created from the file, `run_job(dry_run=True)` is the dry run ("check") and, once the job is
checked, `run_job(dry_run=False)` the confirmed import. The child prints its wall and CPU time,
the CPU time of its PostgreSQL backend and its peak memory (peak RSS, and its RSS before the
step). The register of elected officials (the maires file, 35,000 rows, in the published format)
goes through the same steps for comparison.
Target: every check and import of the 60,000-row file under 60 s.
"""

import argparse
import csv
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/lettre_bench_import"

FIRST_NAMES = [
    "Marie",
    "Jean",
    "Camille",
    "Nicolas",
    "Élodie",
    "Loïc",
    "Hélène",
    "François",
    "Noémie",
    "Inès",
    "Gaëlle",
    "Théo",
    "Maël",
    "Chloé",
    "Léa",
    "Hugo",
    "Manon",
    "Lucas",
    "Zoé",
    "Jérôme",
    "Cécile",
    "Amélie",
    "Benoît",
    "Sébastien",
    "Anaïs",
    "Clémence",
    "Agnès",
    "Joël",
    "Geneviève",
    "Aurélien",
    "Mathilde",
    "Yannick",
    "Solène",
    "Thibault",
    "Océane",
    "Rémi",
    "Bérénice",
    "Gwenaëlle",
    "Noël",
    "Luc",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Le",
    "Gall",
    "Le",
    "Goff",
    "Kerjean",
    "Casanova",
    "Santoni",
    "Lurel",
    "D'Arc",
    "Œillet",
    "Bénard-Lévêque",
]
# (commune, INSEE code, postcode): real places, so the checks of codes and départements apply.
COMMUNES = [
    ("Lyon", "69123", "69003"),
    ("Villeurbanne", "69266", "69100"),
    ("Grenoble", "38185", "38000"),
    ("Marseille", "13055", "13001"),
    ("Aix-en-Provence", "13001", "13100"),
    ("Toulouse", "31555", "31000"),
    ("Nantes", "44109", "44000"),
    ("Strasbourg", "67482", "67000"),
    ("Montpellier", "34172", "34000"),
    ("Bordeaux", "33063", "33000"),
    ("Lille", "59350", "59000"),
    ("Rennes", "35238", "35000"),
    ("Saint-Étienne", "42218", "42000"),
    ("Dijon", "21231", "21000"),
    ("Angers", "49007", "49000"),
    ("Nîmes", "30189", "30000"),
    ("Clermont-Ferrand", "63113", "63000"),
    ("Brest", "29019", "29200"),
    ("Quimper", "29232", "29000"),
    ("Tours", "37261", "37000"),
    ("Amiens", "80021", "80000"),
    ("Limoges", "87085", "87000"),
    ("Annecy", "74010", "74000"),
    ("Perpignan", "66136", "66000"),
    ("Metz", "57463", "57000"),
    ("Besançon", "25056", "25000"),
    ("Orléans", "45234", "45000"),
    ("Rouen", "76540", "76000"),
    ("Caen", "14118", "14000"),
    ("Nancy", "54395", "54000"),
    ("Poitiers", "86194", "86000"),
    ("Pau", "64445", "64000"),
    ("La Rochelle", "17300", "17000"),
    ("Vannes", "56260", "56000"),
    ("Albi", "81004", "81000"),
    ("Cahors", "46042", "46000"),
    ("Aurillac", "15014", "15000"),
    ("Gap", "05061", "05000"),
    ("Laval", "53130", "53000"),
    ("Bourg-en-Bresse", "01053", "01000"),
    ("L'Abergement-Clémenciat", "01001", "01400"),
    ("Ajaccio", "2A004", "20000"),
    ("Bastia", "2B033", "20200"),
    ("Paris", "75056", "75011"),
    ("Les Abymes", "97101", "97139"),
    ("Saint-Denis", "97411", "97400"),
]
DOMAINS = ["orange.fr", "free.fr", "gmail.com", "laposte.net", "wanadoo.fr", "sfr.fr", "yahoo.fr"]
CATEGORIES = [  # (category, weight, titles, organisation name pattern)
    ("individual", 60, [""], ""),
    ("professional", 20, ["Bibliothécaire", "Directrice de médiathèque", "Conservateur"], "m"),
    ("elected", 10, ["Maire", "Adjointe à la culture", "Conseiller municipal"], ""),
    ("organisation", 6, ["Présidente", "Trésorier"], "a"),
    ("authority", 4, ["Maire", "Président de la communauté de communes"], "c"),
]
HEADERS = [
    "email",
    "first_name",
    "last_name",
    "category",
    "title",
    "organisation_name",
    "insee_code",
    "postcode",
    "commune",
    "departement",
    "consent_public",
    "consent_newsletter",
    "consent_text",
    "consented_at",
    "signed_at",
]
CONSENT = "J’accepte de recevoir la lettre d’information de la campagne."
BAD_CELLS = [  # (column, bad value): what a real file gets wrong
    ("last_name", '=HYPERLINK("http://example.org","Cliquez")'),
    ("signed_at", "31/02/2026"),
    ("email", "jeanne.martin@"),
    ("departement", "99"),
    ("category", "maire"),
    ("postcode", "00000"),
]


def ascii_letters(text):
    """'Bénard-Lévêque' -> 'benard-leveque': the local part of an invented address."""
    text = unicodedata.normalize("NFKD", text.replace("Œ", "Oe").replace("œ", "oe"))
    return "".join(c for c in text.lower() if c.isascii() and (c.isalnum() or c in ".-"))


def departement_of(insee):
    return insee[:3] if insee.startswith("97") else insee[:2]


def signature_rows(count, seed):
    """`count` rows as {header: value}; dates are date objects (text in the CSV, cells in XLSX)."""
    rng = random.Random(seed)
    weights = [weight for _c, weight, _t, _o in CATEGORIES]
    start = datetime.date(2026, 1, 15)
    offline = set()
    for number in range(count):
        category, _w, titles, org = rng.choices(CATEGORIES, weights)[0]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        commune, insee, postcode = rng.choice(COMMUNES)
        signed = start + datetime.timedelta(days=rng.randint(0, 280))
        email = ""
        if rng.random() > 0.02 or (first, last, postcode) in offline:
            local = ascii_letters(f"{first}.{last}")
            email = f"{local}.{seed}-{number}@{rng.choice(DOMAINS)}"
        else:
            offline.add((first, last, postcode))  # a paper form without an email
        newsletter = rng.random() < 0.3
        yield {
            "email": email,
            "first_name": first,
            "last_name": last,
            "category": category,
            "title": rng.choice(titles),
            "organisation_name": {
                "m": f"Médiathèque de {commune}",
                "a": f"Les Amis de la bibliothèque de {commune}",
                "c": f"Commune de {commune}",
            }.get(org, ""),
            "insee_code": insee if category in ("authority", "elected") else "",
            "postcode": postcode,
            "commune": commune,
            "departement": departement_of(insee),
            "consent_public": rng.choice(["oui", "non"]),
            "consent_newsletter": "oui" if newsletter else "non",
            "consent_text": CONSENT if newsletter else "",
            "consented_at": signed if newsletter else "",
            "signed_at": signed,
        }


def with_bad_rows(rows, count):
    """The same rows with one problem each in a few of them, spread over the file."""
    bad_at = {
        count * (index + 1) // (len(BAD_CELLS) + 1): cell for index, cell in enumerate(BAD_CELLS)
    }
    for number, row in enumerate(rows):
        if number in bad_at:
            column, value = bad_at[number]
            row = {**row, column: value}
        yield row


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow(
                [
                    value.strftime("%d/%m/%Y") if isinstance(value, datetime.date) else value
                    for value in (row[name] for name in HEADERS)
                ]
            )


def write_xlsx(path, rows):
    """As a spreadsheet saves it: dates as date cells, the sheet's dimension in its header (a
    write-only openpyxl file has none, and a reader would then parse the sheet twice)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Signatures"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row[name] for name in HEADERS])
    workbook.save(path)


def write_maires(path, count):
    sys.path.insert(0, str(HERE))
    from register_import import rows as register_rows  # the register benchmark's generator

    from signatories.register.formats import write_register_csv

    with open(path, "w", encoding="utf-8", newline="") as handle:
        write_register_csv(handle, "maires", register_rows("maires", count, random.Random(1)))


# --- Child process: one step --------------------------------------------------------------


def rss_mb(field="VmRSS"):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb():
    """This process's peak RSS (VmHWM: getrusage's ru_maxrss would carry the parent's over the
    fork and exec)."""
    return rss_mb("VmHWM")


def process_cpu(pid):
    """CPU seconds of a local process (user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child(args):
    import django

    django.setup()
    from django.core.files import File

    from signatories.imports.models import ImportJob
    from signatories.imports.services import run_job

    if args.step == "check":
        with open(args.path, "rb") as handle:
            job = ImportJob.objects.create(
                kind=args.kind,
                file=File(handle, name=Path(args.path).name),
                original_name=Path(args.path).name,
                format=Path(args.path).suffix.lstrip("."),
                campaign_id=args.campaign,
                source="paper" if args.kind == "signatures" else "",
                source_detail="Benchmark" if args.kind == "signatures" else "",
                mandate=args.mandate,
            )
    else:
        job = ImportJob.objects.get(pk=args.job)
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.QUEUED)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]  # the PostgreSQL process serving this one (same machine)
    before, backend_cpu = rss_mb(), process_cpu(backend)
    cpu = time.process_time()
    start = time.perf_counter()
    job = run_job(job.pk, dry_run=args.step == "check")
    elapsed = time.perf_counter() - start
    backend_cpu = process_cpu(backend) - backend_cpu
    report = job.report
    print(
        json.dumps(
            {
                "job": job.pk,
                "state": job.state,
                "seconds": elapsed,
                "cpu": time.process_time() - cpu,
                "db_cpu": backend_cpu,
                "rss_before": before,
                "peak": peak_rss_mb(),
                "total": job.total_rows,
                "new": job.new_count,
                "updated": job.updated_count,
                "skipped": job.skipped_count,
                "invalid": job.invalid_count,
                "file_problem": report.get("file_problem", ""),
                "first_errors": report.get("errors", [])[:8],
            }
        )
    )


# --- Parent ------------------------------------------------------------------------------


def fresh_database(url):
    from urllib.parse import urlparse

    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = f"host={parts.hostname} port={parts.port or 5432} user={parts.username} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def run_step(env, label, **options):
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", "--root", env["BENCH_ROOT"]]
    for key, value in options.items():
        if value not in (None, ""):
            argv += [f"--{key}", str(value)]
    start = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode:
        print(result.stdout, result.stderr, file=sys.stderr)
        raise SystemExit(f"{label}: the child process failed")
    if "Traceback" in result.stderr:
        print(result.stderr, file=sys.stderr)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["wall"] = wall
    rows = figures["total"] or 1
    line = (
        f"{label}: {figures['seconds']:.1f} s ({rows / figures['seconds']:,.0f} rows/s), "
        f"{figures['cpu']:.1f} s CPU + {figures['db_cpu']:.1f} s PostgreSQL, peak memory {figures['peak']:.0f} MB "
        f"(RSS {figures['rss_before']:.0f} MB before the step); {figures['state']}, "
        f"{figures['total']} rows: {figures['new']} new, {figures['updated']} updated, "
        f"{figures['skipped']} unchanged, {figures['invalid']} invalid"
    )
    print(line, flush=True)
    if figures["file_problem"]:
        print(f"    file problem: {figures['file_problem']}")
    for error in figures["first_errors"]:
        print(f"    row {error['row']}: {'; '.join(error['messages'])}")
    return figures


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--register-rows", type=int, default=35_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--root", default=str(HERE.parent), help="the checkout to measure")
    parser.add_argument("--no-bad-check", action="store_true", help="skip the file with bad rows")
    parser.add_argument("--no-register", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    for name in ("step", "path", "kind", "campaign", "mandate", "job"):
        parser.add_argument(f"--{name}", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()

    root = Path(args.root).resolve()
    sys.path[:0] = [str(root), str(root / "site")]
    if args.child:
        return child(args)

    env = dict(os.environ)
    env["DATABASE_URL"] = env.get("BENCH_PG", DEFAULT_PG)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DJANGO_DEBUG="False",  # DEBUG keeps every query in memory
        LOG_LEVEL="WARNING",
        TASKS_LOG_LEVEL="WARNING",
        BENCH_ROOT=str(root),
    )
    tmp = Path(tempfile.mkdtemp(prefix="tabular-import-"))
    try:
        run(args, root, env, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args, root, env, tmp):
    env["IMPORTS_FILE_ROOT"] = str(tmp / "uploads")
    env["FILE_CACHE_DIR"] = str(tmp / "cache")
    os.environ.update(env)
    fresh_database(env["DATABASE_URL"])
    subprocess.run([sys.executable, str(root / "manage.py"), "migrate", "-v0"], env=env, check=True)
    import django

    django.setup()
    from django.db import connections

    from campaigns.models import Campaign

    print(f"code: {root}; database: {env['DATABASE_URL'].rsplit('@', 1)[-1]}")
    print(f"load average before the run: {os.getloadavg()[0]:.1f}")
    results = {}
    formats = [name for name in args.formats.split(",") if name]
    for seed, file_format in enumerate(formats, start=1):
        write = write_csv if file_format == "csv" else write_xlsx
        clean = tmp / f"signatures-{args.rows}.{file_format}"
        bad = tmp / f"signatures-{args.rows}-bad-rows.{file_format}"
        start = time.perf_counter()
        write(clean, signature_rows(args.rows, seed))
        if not args.no_bad_check:
            write(bad, with_bad_rows(signature_rows(args.rows, seed), args.rows))
        print(
            f"{file_format}: {clean.stat().st_size / 1e6:.1f} MB, written in "
            f"{time.perf_counter() - start:.1f} s"
        )
        campaign = Campaign.objects.create(
            title=f"Banc d’essai {file_format}", slug=f"banc-{file_format}", status="open"
        )
        connections.close_all()
        label = f"signatures {file_format.upper()} ({args.rows:,} rows)"
        if not args.no_bad_check:
            results[f"{file_format} bad"] = run_step(
                env,
                f"{label} with {len(BAD_CELLS)} bad rows, check",
                step="check",
                path=bad,
                kind="signatures",
                campaign=campaign.pk,
            )
        check = run_step(
            env,
            f"{label}, check",
            step="check",
            path=clean,
            kind="signatures",
            campaign=campaign.pk,
        )
        results[f"{file_format} check"] = check
        if check["state"] == "checked":
            results[f"{file_format} import"] = run_step(
                env, f"{label}, import", step="import", job=check["job"]
            )
    if not args.no_register:
        maires = tmp / "elus-maires.csv"
        write_maires(maires, args.register_rows)
        connections.close_all()
        label = f"register, maires ({args.register_rows:,} rows)"
        check = run_step(
            env, f"{label}, check", step="check", path=maires, kind="register", mandate="maires"
        )
        if check["state"] == "checked":
            run_step(env, f"{label}, import", step="import", job=check["job"])
    slow = [
        name
        for name, figures in results.items()
        if not name.endswith("bad") and figures["seconds"] >= 60
    ]
    if args.rows >= 60_000:
        print(
            "target (each check and import under 60 s):",
            "TOO SLOW: " + ", ".join(slow) if slow else "OK",
        )
    return None


if __name__ == "__main__":
    main()
