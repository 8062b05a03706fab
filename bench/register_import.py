"""Benchmark: import the register of elected officials (RNE) files in their published format.

Generates, with invented names, a maires file (35,000 rows) and a conseillers municipaux file
(500,000 rows), then runs `manage.py import_register` on each in a child process and reports wall
time and the child's peak memory (max RSS). A second import of the maires file measures the
quarterly re-import (nothing changed: no writes).

    .venv/bin/python bench/register_import.py                      # SQLite in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h5_bench .venv/bin/python bench/register_import.py

Targets: maires < 60 s; conseillers municipaux peak memory < 1 GB.
"""

import argparse
import csv
import datetime
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "site")]

SYLLABLES = [
    "ber",
    "nard",
    "mo",
    "reau",
    "du",
    "pont",
    "lé",
    "vê",
    "que",
    "gi",
    "rard",
    "ca",
    "sa",
    "nova",
    "lu",
    "rel",
    "fon",
    "taine",
    "cha",
    "pel",
    "roux",
    "ma",
    "rtin",
    "pe",
    "tit",
    "lef",
    "èvre",
]
FIRST_NAMES = [
    "Marie",
    "Jean",
    "Cédric",
    "Élodie",
    "Anne-Sophie",
    "Luc",
    "Zoé",
    "Paul",
    "Josette",
    "Ange-Marie",
    "Hélène",
    "François",
    "Noémie",
    "Loïc",
    "Inès",
    "Gaëlle",
    "Théo",
    "Maël",
    "Camille",
    "Jérôme",
]


def invented_name(rng):
    name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    if rng.random() < 0.1:
        name += "-" + "".join(rng.choice(SYLLABLES) for _ in range(2))
    return name.upper()


def departements():
    with (ROOT / "signatories" / "data" / "departements.csv").open(encoding="utf-8") as handle:
        return [(row["code"], row["name"]) for row in csv.DictReader(handle, delimiter=";")]


def communes(count, rng):
    deps = departements()
    overseas = sum(1 for code, _name in deps if code.startswith("97"))
    per_dep = -(-(count - 99 * overseas) // (len(deps) - overseas))  # overseas codes stop at 99
    produced = 0
    for code, name in deps:
        overseas_dep = code.startswith("97")
        for number in range(1, (99 if overseas_dep else per_dep) + 1):
            if produced == count:
                return
            insee = f"{code}{number:02d}" if overseas_dep else f"{code}{number:03d}"
            produced += 1
            yield code, name, insee, f"Commune {insee}"


def rows(mandate, count, rng):
    birth0 = datetime.date(1940, 1, 1)
    per_commune = 1 if mandate == "maires" else 15
    for code, dep_name, insee, commune in communes(count // per_commune + 1, rng):
        for index in range(per_commune):
            count -= 1
            if count < 0:
                return
            yield {
                "departement_code": code,
                "departement_name": dep_name,
                "commune_code": insee,
                "commune_name": commune,
                "last_name": invented_name(rng),
                "first_name": rng.choice(FIRST_NAMES),
                "sex": rng.choice("MF"),
                "birth_date": birth0 + datetime.timedelta(days=rng.randint(0, 20000)),
                "profession_code": str(rng.randint(10, 80)),
                "profession": "Profession inventée",
                "mandate_start": datetime.date(2020, 5, 23),
                "function": "Maire" if index == 0 else ("Adjoint au maire" if index < 5 else ""),
                "function_start": datetime.date(2020, 5, 23),
            }


def generate(path, mandate, count, seed=1):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    django.setup()
    from signatories.register.formats import write_register_csv

    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        write_register_csv(
            handle, mandate, rows(mandate, count, rng), iso_dates=mandate != "maires"
        )
    return path


def fresh_database(url):
    """Start from an empty scratch database (SQLite file or PostgreSQL database)."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    admin = f"host={config['HOST'] or '127.0.0.1'} port={config['PORT'] or 5432} user={config['USER']} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')
        connection.execute(f'CREATE DATABASE "{config["NAME"]}"')


def run_import(path, mandate, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    # A fresh child per import so that its max RSS is the import's own peak.
    wrapper = (
        "import resource, subprocess, sys;"
        "r = subprocess.run(sys.argv[1:]);"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print('MAXRSS', u.ru_maxrss, u.ru_utime + u.ru_stime, file=sys.stderr);"
        "sys.exit(r.returncode)"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            wrapper,
            sys.executable,
            str(ROOT / "manage.py"),
            "import_register",
            str(path),
            "--mandate",
            mandate,
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    del before
    figures = next(line.split() for line in result.stderr.splitlines() if line.startswith("MAXRSS"))
    peak_kb, cpu = int(figures[1]), float(figures[2])
    if result.returncode:
        print(result.stdout, result.stderr, file=sys.stderr)
        raise SystemExit(f"import of {path} failed")
    return elapsed, peak_kb / 1024, cpu, result.stdout.strip()


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--maires", type=int, default=35_000)
    parser.add_argument("--cm", type=int, default=500_000)
    args = parser.parse_args()

    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "sqlite:////tmp/h5-bench-register.sqlite3")
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    env.setdefault("LOG_LEVEL", "WARNING")
    fresh_database(env["DATABASE_URL"])
    os.environ.update(env)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True)
    print(f"database: {env['DATABASE_URL'].split('@')[-1]}")

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        maires = generate(Path(tmp) / "elus-maires.csv", "maires", args.maires)
        cm = generate(Path(tmp) / "elus-conseillers-municipaux.csv", "cm", args.cm)
        print(
            f"files: maires {maires.stat().st_size / 1e6:.1f} MB, cm {cm.stat().st_size / 1e6:.1f} MB"
        )
        results = [
            (f"maires, first import ({args.maires:,} rows)", run_import(maires, "maires", env), 60),
            (
                f"maires, quarterly re-import ({args.maires:,} rows, unchanged)",
                run_import(maires, "maires", env),
                60,
            ),
            (f"conseillers municipaux ({args.cm:,} rows)", run_import(cm, "cm", env), None),
        ]
    print(
        f"load average before the imports: {load:.1f} (CPU time is the figure a busy machine distorts least)"
    )
    for label, (elapsed, peak_mb, cpu, output), limit in results:
        verdict = ""
        if limit:
            verdict = "OK" if elapsed < limit else "TOO SLOW"
        print(
            f"{label}: {elapsed:.1f} s wall, {cpu:.1f} s CPU, peak memory {peak_mb:.0f} MB {verdict}\n    {output}"
        )
    peak = results[-1][1][1]
    print(
        f"conseillers municipaux peak memory {peak:.0f} MB: {'OK' if peak < 1024 else 'OVER 1 GB'}"
    )


if __name__ == "__main__":
    main()
