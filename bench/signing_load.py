#!/usr/bin/env python
"""Signing benchmark (issue 3): gunicorn + PostgreSQL + Redis, concurrent clients posting valid
signatures through the real form handling (form token, ALTCHA, rate limits, canonical email,
one-per-person constraint, email task enqueued on commit), against a baseline view that inserts
one row, in the same run. While signatures pour in, a few more clients read the letter page
(signing panel + counter). Prints signatures/s, p50, p99, the ratio to the baseline, and stops.

    .venv/bin/python bench/signing_load.py [--clients 50] [--duration 60] [--workers 4]

Needs PostgreSQL on 127.0.0.1:5432 (a database `lettre_bench` is recreated) and Redis on
127.0.0.1:6379 (database 9 is flushed). Challenges are pre-solved at a low cost
(SIGNATURES_ALTCHA_COST=1): the server verifies them exactly as in production.
"""

import argparse
import http.client
import multiprocessing as mp
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("BENCH_PORT", "8199"))
DB_NAME = os.environ.get("BENCH_DB", "lettre_bench")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/9")
SLUG = "bench"

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
    """Migrate, create the campaign, and build `total` signature bodies with solved challenges."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, run_syncdb=True)
    from campaigns.models import Campaign
    from signatories import abuse, counts

    campaign, _ = Campaign.objects.update_or_create(
        slug=SLUG, defaults={"title": "Lettre ouverte (bench)", "status": "open", "goal": 100000}
    )
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
    return campaign, bodies


def start_gunicorn(workers):
    env = {**os.environ, **ENV, "PYTHONPATH": f"{ROOT}:{ROOT / 'site'}:{ROOT / 'bench'}"}
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--pythonpath",
            "site,bench",
            "config.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def wait_ready(timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", f"/api/campaigns/{SLUG}/counts.json")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


# --- Load generation: processes x threads, each thread one client -----------------------------


def client_thread(kind, path, bodies, stop_at, latencies, errors, index):
    conn = None
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Connection": "keep-alive"}
    i = 0
    while time.time() < stop_at:
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        # Behind the proxy each signer has their own address.
        headers["X-Forwarded-For"] = f"10.{index % 250}.{(i // 250) % 250}.{i % 250 + 1}"
        started = time.perf_counter()
        try:
            if kind == "get":
                conn.request("GET", path, headers=headers)
            else:
                body = bodies[i % len(bodies)] if bodies else b"email=x%40example.org"
                conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status in (200, 303)
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = None
        latencies.append(time.perf_counter() - started)
        if not ok:
            errors.append(1)
        i += 1


def client_process(kind, path, bodies, threads, stop_at, first_index, queue):
    latencies, errors = [], []
    workers = []
    chunk = max(1, len(bodies) // threads) if bodies else 0
    for t in range(threads):
        own = bodies[t * chunk : (t + 1) * chunk] if bodies else None
        worker = threading.Thread(
            target=client_thread,
            args=(kind, path, own, stop_at, latencies, errors, first_index + t),
        )
        worker.start()
        workers.append(worker)
    for worker in workers:
        worker.join()
    queue.put((latencies, len(errors)))


def run_load(kind, path, clients, duration, bodies=None, processes=None):
    """Run `clients` concurrent clients for `duration` seconds; returns (count, errors, latencies)."""
    processes = processes or min(clients, max(2, os.cpu_count() or 2))
    per_process = [
        clients // processes + (1 if p < clients % processes else 0) for p in range(processes)
    ]
    stop_at = time.time() + duration
    queue = mp.Queue()
    procs, start = [], 0
    share = len(bodies) // clients if bodies else 0
    for threads in per_process:
        own = bodies[start * share : (start + threads) * share] if bodies else None
        proc = mp.Process(
            target=client_process, args=(kind, path, own, threads, stop_at, start, queue)
        )
        proc.start()
        procs.append(proc)
        start += threads
    latencies, errors = [], 0
    for _ in procs:
        lat, err = queue.get()
        latencies.extend(lat)
        errors += err
    for proc in procs:
        proc.join()
    return len(latencies), errors, latencies


def describe(name, count, errors, latencies, duration):
    latencies = sorted(latencies)
    p50 = statistics.median(latencies) * 1000 if latencies else 0
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0
    rate = count / duration
    print(f"{name:<28} {rate:8.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   errors {errors}")
    return rate, p50, p99


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--letter-clients", type=int, default=5)
    parser.add_argument("--max-rate", type=int, default=1500, help="signatures/s to prepare for")
    args = parser.parse_args()

    print("Preparing database, campaign and solved challenges...", flush=True)
    setup_django()
    recreate_database()
    total = args.max_rate * args.duration
    prepare_started = time.time()
    campaign, bodies = prepare(total)
    print(f"  {len(bodies)} signature bodies in {time.time() - prepare_started:.0f}s", flush=True)
    from django.db import connections

    connections.close_all()

    server = start_gunicorn(args.workers)
    try:
        wait_ready()
        print(
            f"gunicorn: {args.workers} workers; {args.clients} clients, {args.duration}s per phase\n"
        )
        run_load("post", "/bench/baseline/", args.clients, 5)  # warm up
        base = run_load("post", "/bench/baseline/", args.clients, args.duration)
        base_rate, _, _ = describe("baseline (one-row insert)", *base, args.duration)

        # Refresh counts as the periodic task would, while signatures pour in.
        from signatories.counts import refresh_campaign

        stop = threading.Event()

        def refresher():
            while not stop.wait(10):
                refresh_campaign(campaign)

        refresher_thread = threading.Thread(target=refresher, daemon=True)
        refresher_thread.start()
        letter_result = {}

        def letter_load():
            letter_result["r"] = run_load(
                "get", f"/bench/letter/{SLUG}/", args.letter_clients, args.duration, processes=1
            )

        letter_thread = threading.Thread(target=letter_load)
        letter_thread.start()
        signs = run_load("post", f"/fr/signer/{SLUG}/", args.clients, args.duration, bodies=bodies)
        letter_thread.join()
        stop.set()
        sign_rate, _sign_p50, sign_p99 = describe(
            "signatures (sign form POST)", *signs, args.duration
        )
        describe("letter page during signing", *letter_result["r"], args.duration)

        from signatories.models import Signature

        created = Signature.objects.filter(campaign=campaign).count()
        flagged = Signature.objects.filter(campaign=campaign, status="flagged").count()
        summary = refresh_campaign(campaign)
        ratio = sign_rate / base_rate if base_rate else 0
        print(
            f"\nsignatures stored: {created} (flagged: {flagged}); counter total after refresh: {summary['total']}"
        )
        print(f"ratio to baseline: {ratio:.0%}")
        targets = [
            ("signatures/s >= 500", sign_rate >= 500),
            ("p99 < 150 ms", sign_p99 < 150),
            ("ratio >= 25%", ratio >= 0.25),
        ]
        print(
            "targets: " + ", ".join(f"{name}: {'OK' if ok else 'MISSED'}" for name, ok in targets)
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
