#!/usr/bin/env python
"""Compare versions of the signing path: the signing load alone (no baseline or letter page
phase), alternating between variants in one run, so that the machine's drift from one minute to
the next falls on every variant alike. Prints, per run, signatures/s, p50 and p99, the CPU time
each kind of process spent per signature (gunicorn, PostgreSQL backends of the bench database,
wrk), which moves less with the machine's speed than the rate does, and the share of the machine
that other processes took meanwhile (the machine is shared).

    .venv/bin/python bench/signing_ab.py --rounds 3 --duration 20 "" "DATABASE_CONN_MAX_AGE=0"
    .venv/bin/python bench/signing_ab.py --rounds 3 root=/tmp/before ""

Each variant is a string of space-separated NAME=value settings for the gunicorn environment;
`root=PATH` serves another checkout (e.g. `git worktree add /tmp/before HEAD~1`, or a copy of the
tree with one change) with its own .venv if it has one. The database and the prepared signatures
are shared (see signing_load.py). No worker runs: the submissions pile up in the queue, as in
signing_load.py's first phase.
"""

import argparse
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import signing_load as load

KINDS = ("gunicorn", "postgres", "wrk")  # the signing path makes no Redis call
SIGNATURES_PER_SECOND = 1000  # prepared per variant and second: more than the server takes


def parse_variant(text):
    settings = dict(item.split("=", 1) for item in text.split())
    root = Path(settings.pop("root", load.ROOT)).resolve()
    return root, settings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", help='e.g. "" "NAME=value" "root=/tmp/before"')
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")

    runs = [variant for _ in range(args.rounds) for variant in args.variants]
    per_run = SIGNATURES_PER_SECOND * (args.duration + 3)
    print(f"Preparing {per_run * len(runs)} signatures...", flush=True)
    load.setup_django()
    load.recreate_database()
    campaign, letter_path = load.prepare_site()
    emails = [load.person_email(n, f"ab{os.getpid()}") for n in range(per_run * len(runs))]
    bodies = load.signing_bodies(campaign, emails)
    from django.db import connections

    connections.close_all()
    url = f"http://127.0.0.1:{load.PORT}/fr/signer/{campaign.slug}/"
    workdir = tempfile.mkdtemp(prefix="signing-ab-")
    header = " ".join(f"{kind[:8]:>8}" for kind in KINDS)
    print(
        f"\n{'variant':<44} {'sign/s':>7} {'p50':>6} {'p99':>6}  cpu ms/signature: {header}"
        "   others"
    )
    try:
        for index, variant in enumerate(runs):
            root, settings = parse_variant(variant)
            server = load.start_gunicorn(args.workers, root=root, extra_env=settings)
            share = bodies[index * per_run : (index + 1) * per_run]
            warm_up = SIGNATURES_PER_SECOND * 3
            try:
                load.wait_ready(letter_path)
                load.run_load(url, args.clients, 3, bodies=share[:warm_up], workdir=workdir)
                cpu = load.CpuShare()  # this benchmark's processes only: the machine is shared
                cpu.start()
                result = load.run_load(
                    url, args.clients, args.duration, bodies=share[warm_up:], workdir=workdir
                )
                machine, _ours, other, by_kind = cpu.stop()
                requests, errors, p50, p99 = result.requests, result.errors, result.p50, result.p99
                seconds = result.seconds
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
            per_signature = " ".join(
                f"{by_kind[kind] * 1000 / max(requests, 1):8.2f}" for kind in KINDS
            )
            errors_text = f"  ERRORS {errors}" if errors else ""
            print(
                f"{variant or '(this tree)':<44.44} {requests / seconds:7.0f} {p50 * 1000:6.1f} "
                f"{p99 * 1000:6.1f}                   {per_signature}"
                f"   {other / (machine or 1):6.0%}{errors_text}",
                flush=True,
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
