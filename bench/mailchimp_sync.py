"""Benchmark: first full sync of an audience of 100,000 supporters to the fake Mailchimp.

    .venv/bin/python bench/mailchimp_sync.py [--supporters 100000] [--latency 0.1] [--db sqlite|postgres]

Builds a throwaway database (SQLite file in /tmp, or the PostgreSQL database `mailchimp_bench`),
bulk-creates the supporters, starts the fake Mailchimp in a subprocess with the given latency per
call, connects the audience, and runs the sync the way the worker does (drain, then poll the
batches) until every row is settled. Prints API calls by kind, wall time and the peak memory of
this (product) process; then runs a second sync with nothing changed, which must make no member
call. Target: at most one call per 500 supporters plus polling, under 10 minutes.
"""

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds(pid=None):
    """CPU time of this process, or of a local process by id (None if it can't be read)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supporters", type=int, default=100_000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()

    if args.db == "sqlite":
        path = Path("/tmp/mailchimp_bench.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "mailchimp_bench"],
            check=True,
        )
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", "postgres", "mailchimp_bench"], check=True
        )
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/mailchimp_bench"

    port = free_port()
    fake = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "campaigns.mailchimp.devserver",
            "--port",
            str(port),
            "--latency",
            str(args.latency),
            "--api-key",
            "benchkey-us21",
            "--list",
            "bench",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.update(
        MAILCHIMP_API_KEY="benchkey-us21",
        MAILCHIMP_SERVER_PREFIX="us21",
        MAILCHIMP_API_HOST=f"http://127.0.0.1:{port}/3.0",
    )
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    try:
        run(args, port)
    finally:
        fake.terminate()
        fake.wait()


def stats(port, reset=False):
    url = f"http://127.0.0.1:{port}/_fake/stats" + ("?reset=1" if reset else "")
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def run(args, port):
    import django

    django.setup()
    from django.core.management import call_command

    print(f"Migrating a fresh {args.db} database...", flush=True)
    call_command("migrate", verbosity=0)

    from django.conf import settings
    from django.db import connection as db_connection
    from django.db import transaction
    from django.utils import timezone

    from campaigns.mailchimp import batches, services, sync
    from campaigns.mailchimp.models import AudienceConnection, OutboxEntry
    from campaigns.models import Campaign
    from signatories.models import Departement, Signatory, Signature

    settings.MAILCHIMP_API_HOST = f"http://127.0.0.1:{port}/3.0"
    for _ in range(50):  # wait for the fake
        try:
            stats(port, reset=True)
            break
        except OSError:
            time.sleep(0.1)

    print(f"Creating {args.supporters:,} supporters...", flush=True)
    started = time.monotonic()
    campaign = Campaign.objects.create(title="Bench", slug="bench", status="open")
    departements = list(Departement.objects.all())
    categories = [c for c, _ in Signature.Category.choices]
    now = timezone.now()
    chunk = 5000
    for first in range(0, args.supporters, chunk):
        n = min(chunk, args.supporters - first)
        people = Signatory.objects.bulk_create(
            [
                Signatory(
                    email=f"soutien{i}@exemple-{i % 97}.fr",
                    canonical_email=f"soutien{i}@exemple-{i % 97}.fr",
                )
                for i in range(first, first + n)
            ]
        )
        if people[0].pk is None:  # backends that don't return ids
            people = list(
                Signatory.objects.filter(canonical_email__in=[p.canonical_email for p in people])
            )
        Signature.objects.bulk_create(
            [
                Signature(
                    campaign=campaign,
                    signatory=p,
                    status="confirmed",
                    confirmed_at=now,
                    category=categories[i % len(categories)],
                    first_name=f"Prénom{i}",
                    last_name=f"Nom-{i}",
                    title="Bibliothécaire" if i % 3 == 0 else "",
                    organisation_name=f"Médiathèque {i % 500}",
                    departement=departements[i % len(departements)],
                    consent_newsletter=True,
                    consented_at=now,
                    token=f"t{i}",
                )
                for i, p in zip(range(first, first + n), people, strict=True)
            ]
        )
    print(f"  done in {time.monotonic() - started:.1f} s", flush=True)

    connection = AudienceConnection.objects.create(
        campaign=campaign, list_id="bench", opt_in="subscribed"
    )
    rss_before = peak_rss_mb()
    # On a shared machine wall time depends on the neighbours; CPU time much less. The database
    # server's share is read from its backend process when it runs on this machine.
    backend_pid = None
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]

    def cpu_line(cpu_before, backend_before):
        line = f"{cpu_seconds() - cpu_before:.1f} s here"
        backend = cpu_seconds(backend_pid) if backend_pid else None
        if backend is not None and backend_before is not None:
            line += f", {backend - backend_before:.1f} s in the PostgreSQL backend"
        return f"{line}; load average {os.getloadavg()[0]:.1f}"

    def full_sync():
        cpu_before = cpu_seconds(), cpu_seconds(backend_pid) if backend_pid else None
        started = time.monotonic()
        with transaction.atomic():
            services.queue_all_supporters(connection)
        rounds = 0
        while True:
            rounds += 1
            sync.drain(time_budget=3600)
            running = batches.poll()
            waiting = OutboxEntry.objects.filter(state__in=["pending", "in_flight"]).count()
            if not running and not waiting:
                break
            if running:
                time.sleep(1)
        return time.monotonic() - started, rounds, cpu_line(*cpu_before)

    print("First full sync...", flush=True)
    elapsed, rounds, cpu = full_sync()
    first = stats(port, reset=True)
    states = {s: OutboxEntry.objects.filter(state=s).count() for s in ("synced", "failed", "dead")}
    print(f"  wall time           {elapsed:.1f} s ({rounds} drain/poll rounds)")
    print(f"  CPU time            {cpu}")
    print(
        f"  API calls           {first['calls']}  ({args.supporters / max(first['calls'], 1):.0f} supporters per call)"
    )
    for kind, count in sorted(first["by_kind"].items()):
        print(f"      {count:6d}  {kind}")
    print(f"  members in the fake {first['members']}")
    print(f"  outbox rows         {states}")
    print(
        f"  max simultaneous    {first['max_active']} connections (429 refused: {first['rejected_for_limit']})"
    )
    print(f"  peak memory (RSS)   {peak_rss_mb():.0f} MB (before the sync: {rss_before:.0f} MB)")

    print("Second sync, nothing changed...", flush=True)
    elapsed2, _, cpu2 = full_sync()
    second = stats(port, reset=True)
    member_calls = sum(v for k, v in second["by_kind"].items() if "/members" in k or "batches" in k)
    print(f"  wall time           {elapsed2:.1f} s")
    print(f"  CPU time            {cpu2}")
    print(f"  API calls           {second['calls']} (member or batch calls: {member_calls})")
    ok = (
        states["synced"] == args.supporters
        and first["calls"] <= args.supporters / 500 * 3 + 10
        and elapsed < 600
        and member_calls == 0
    )
    print("RESULT", "OK" if ok else "MISSED TARGET")
    return ok


if __name__ == "__main__":
    main()
