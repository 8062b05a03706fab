#!/usr/bin/env python
"""Signing benchmark (issue 3): gunicorn + PostgreSQL + Redis, concurrent clients posting valid
signatures through the real form handling (form token, ALTCHA, rate limits, canonical email,
one-per-person constraint, confirmation email queued), against a baseline view that inserts one
row, in the same run. While signatures pour in, a few more clients read the real open letter page
(Wagtail, with its counter and signing form). Prints requests/s, p50 and p99 latency and machine
CPU per request for each load, the ratio of signatures to the baseline, and stops.

    .venv/bin/python bench/signing_load.py [--clients 50] [--duration 60] [--workers 4]

The load comes from wrk (apt-get install -y wrk), which takes little of the 2 cores. Needs
PostgreSQL on 127.0.0.1:5432 (a database `lettre_bench` is recreated) and Redis on 127.0.0.1:6379
(database 9 is flushed). Challenges are pre-solved at a low cost (SIGNATURES_ALTCHA_COST=1): the
server verifies them exactly as in production.
"""

import argparse
import http.client
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("BENCH_PORT", "8199"))
DB_NAME = os.environ.get("BENCH_DB", "lettre_bench")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/9")

ENV = {
    "DJANGO_SETTINGS_MODULE": "bench_settings",
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "DATABASE_CONN_MAX_AGE": "600",
    "REDIS_URL": REDIS,
    "CACHE_KEY_PREFIX": "bench",
    "DJANGO_SECRET_KEY": "bench-secret-key-" + "x" * 40,
    "IP_HASH_SALT": "bench-salt",
    "SIGNATURES_ALTCHA_COST": "1",
    "SIGNATURES_ALTCHA_MAX_NUMBER": "1",
    "SIGNATURES_ALTCHA_EXPIRES": "3600",
    "SIGNATURES_TRUSTED_PROXY_COUNT": "1",
    "SIGNATURES_FORM_MIN_SECONDS": "3",
    "LOG_LEVEL": "WARNING",
}


def setup_django():
    os.environ.update(ENV)
    sys.path[:0] = [str(ROOT / "site"), str(ROOT / "bench"), str(ROOT)]
    import django

    django.setup()


def recreate_database():
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def prepare(total):
    """Migrate, build the demo site (its open letter page and campaign), and `total` signature
    bodies with solved challenges. Returns (campaign, letter page path, bodies)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, run_syncdb=True)  # benchapp has no migrations
    from django.conf import settings

    # The pages are read, not their CSS and JS: WhiteNoise only needs the folder to exist.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    call_command("load_demo_content", verbosity=0)
    from campaigns.models import Campaign
    from content.models import OpenLetterPage
    from signatories import abuse, counts

    letter = OpenLetterPage.objects.live().filter(locale__language_code="fr").first()
    campaign = letter.campaign
    Campaign.objects.filter(pk=campaign.pk).update(status="open", goal=100000, closes_at=None)
    campaign.refresh_from_db()
    counts.refresh_campaign(campaign)
    import altcha

    token = abuse.make_form_token(campaign, now=time.time() - 30)
    run_id = int(time.time())
    bodies = []
    categories = ["individual", "individual", "individual", "professional", "organisation"]
    for n in range(total):
        challenge = abuse.create_challenge()
        solution = altcha.solve_challenge(challenge)
        category = categories[n % len(categories)]
        fields = {
            "category": category,
            "first_name": f"Prénom{n}",
            "last_name": f"Nom{n}",
            # distinct people, spread over many domains (as real signers are)
            "email": f"signataire{n}.{run_id}@asso{n % 5000}.example.org",
            "postcode": f"{random.randint(1, 95):02d}{random.randint(0, 999):03d}",
            "consent_sign": "on",
            "consent_public": "on" if n % 2 else "",
            "website": "",
            "form_token": token,
            "altcha": altcha.Payload(challenge, solution).to_base64(),
        }
        if category == "professional":
            fields.update(job_title="Bibliothécaire", establishment=f"Médiathèque {n}")
        elif category == "organisation":
            fields.update(organisation=f"Association {n}")
        bodies.append(urllib.parse.urlencode(fields).encode())
    return campaign, letter.url, bodies


def start_gunicorn(workers, *, root=ROOT, extra_env=None, extra_args=()):
    """gunicorn serving the tree at `root` (another checkout, to compare versions; with its own
    virtualenv if it has one), plus `extra_env` (e.g. a setting to compare)."""
    env = {
        **os.environ,
        **ENV,
        "STATIC_ROOT": str(ROOT / "var" / "static"),  # pages are read, not their CSS and JS
        **(extra_env or {}),
        "PYTHONPATH": f"{root}:{root / 'site'}:{root / 'bench'}",
    }
    venv = root / ".venv" if (root / ".venv").exists() else ROOT / ".venv"
    return subprocess.Popen(
        [
            str(venv / "bin" / "gunicorn"),
            "--pythonpath",
            "site,bench",
            "config.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--backlog",
            "2048",
            *os.environ.get("BENCH_GUNICORN_ARGS", "").split(),
            *extra_args,
            "--log-level",
            "warning",
        ],
        cwd=root,
        env=env,
        start_new_session=True,
    )


def wait_ready(path, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


# --- Load generation: wrk, so that the load generator takes little of the 2 cores ------------

WRK_SCRIPT = ROOT / "bench" / "wrk_load.lua"
WRK_THREADS = 2


def cpu_seconds():
    """CPU time the whole machine spent busy so far (every process: server, database, wrk)."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(
            int, stat.readline().split()[1:9]
        )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run_load(url, clients, duration, *, bodies=None, expected=303, workdir):
    """Run `clients` concurrent connections for `duration` seconds with wrk.
    Returns (requests, errors, p50 seconds, p99 seconds, seconds, machine CPU seconds)."""
    threads = min(WRK_THREADS, clients)
    name = Path(workdir) / f"load-{time.monotonic_ns()}"
    bodies_arg = "-"
    if bodies:
        bodies_arg = str(name)
        share = len(bodies) // threads
        for index in range(threads):
            Path(f"{name}.{index}").write_bytes(
                b"\n".join(bodies[index * share : (index + 1) * share]) + b"\n"
            )
    result = Path(f"{name}.result")
    cpu_before = cpu_seconds()
    subprocess.run(
        [
            "wrk",
            f"--threads={threads}",
            f"--connections={clients}",
            f"--duration={duration}s",
            "--timeout=10s",
            f"--script={WRK_SCRIPT}",
            url,
            "--",
            bodies_arg,
            str(expected),
            str(result),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    cpu = cpu_seconds() - cpu_before
    requests, socket_errors, unexpected, p50, p99, micros = map(int, result.read_text().split())
    return requests, socket_errors + unexpected, p50 / 1e6, p99 / 1e6, micros / 1e6, cpu


def describe(name, result, show_cpu=True):
    requests, errors, p50, p99, seconds, cpu = result
    rate = requests / seconds
    # cpu: ms of machine CPU per request, wrk and the database included (the signing phase is
    # charged with the letter page load running beside it).
    cpu_text = f"cpu {cpu * 1000 / max(requests, 1):5.2f} ms/req" if show_cpu else ""
    print(
        f"{name:<30} {rate:7.0f} req/s   p50 {p50 * 1000:6.1f} ms   p99 {p99 * 1000:6.1f} ms"
        f"   errors {errors:<3} {cpu_text}",
        flush=True,
    )
    return rate, p99


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--letter-clients", type=int, default=5)
    parser.add_argument("--max-rate", type=int, default=1500, help="signatures/s to prepare for")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")

    print("Preparing database, demo site, campaign and solved challenges...", flush=True)
    setup_django()
    recreate_database()
    prepare_started = time.time()
    campaign, letter_path, bodies = prepare(args.max_rate * args.duration)
    print(f"  {len(bodies)} signature bodies in {time.time() - prepare_started:.0f}s", flush=True)
    from django.db import connections

    connections.close_all()

    base_url = f"http://127.0.0.1:{PORT}"
    server = start_gunicorn(args.workers)
    workdir = tempfile.mkdtemp(prefix="signing-load-")
    try:
        wait_ready(letter_path)
        print(
            f"gunicorn: {args.workers} sync workers; wrk: {args.clients} connections, "
            f"{args.duration}s per phase\n",
            flush=True,
        )
        baseline_url = f"{base_url}/bench/baseline/"
        run_load(
            baseline_url, args.clients, 5, bodies=[b"email=x%40example.org"] * 2, workdir=workdir
        )
        base_rate, _ = describe(
            "baseline (one-row insert)",
            run_load(
                baseline_url,
                args.clients,
                args.duration,
                bodies=[b"email=x%40example.org"] * 2,
                workdir=workdir,
            ),
        )
        describe(
            "letter page, idle site",
            run_load(
                f"{base_url}{letter_path}", args.letter_clients, 10, expected=200, workdir=workdir
            ),
        )

        # Refresh counts as the periodic task does, while signatures pour in.
        from signatories.counts import refresh_campaign

        stop = threading.Event()

        def refresher():
            while not stop.wait(10):
                refresh_campaign(campaign)

        threading.Thread(target=refresher, daemon=True).start()
        letter_result = {}

        def letter_load():
            letter_result["r"] = run_load(
                f"{base_url}{letter_path}",
                args.letter_clients,
                args.duration,
                expected=200,
                workdir=workdir,
            )

        from django.utils import timezone

        signing_started = timezone.now()
        letter_thread = threading.Thread(target=letter_load)
        letter_thread.start()
        signs = run_load(
            f"{base_url}/fr/signer/{campaign.slug}/",
            args.clients,
            args.duration,
            bodies=bodies,
            workdir=workdir,
        )
        letter_thread.join()
        stop.set()
        sign_rate, sign_p99 = describe("signatures (signing form POST)", signs)
        describe("letter page during signing", letter_result["r"], show_cpu=False)

        from signatories.models import Signature

        stored = Signature.objects.filter(campaign=campaign, created_at__gte=signing_started)
        created = stored.count()
        flagged = stored.filter(status="flagged").count()
        ratio = sign_rate / base_rate if base_rate else 0
        print(
            f"\nsignatures stored: {created} (flagged: {flagged}); answered 303: {signs[0] - signs[1]}"
        )
        print(f"ratio to baseline: {ratio:.0%}")
        targets = [
            ("signatures/s >= 500", sign_rate >= 500),
            ("p99 < 150 ms", sign_p99 < 0.150),
            ("ratio >= 25%", ratio >= 0.25),
        ]
        print(
            "targets: " + ", ".join(f"{name}: {'OK' if ok else 'MISSED'}" for name, ok in targets)
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
