#!/usr/bin/env python
"""Signing benchmark (issues 3 and 12): the intake path under load, in four phases.

1. Signing: gunicorn (production settings) + PostgreSQL + Redis, concurrent clients posting valid
   signatures through the real form handling (form, form token, ALTCHA, honeypot, timing: one
   Submission row per signature), against a baseline view that inserts one row, in the same run,
   while a few more clients read the open letter page. No worker runs: submissions pile up.
2. Worker drain: the real worker task (signatories.tasks.process_submissions) drains the queue,
   topped up to --drain-rows with realistic submissions; rows/s, and nothing lost or doubled.
3. Sustained: a paced signing load with one worker (db_worker --queue-name '*') and the scheduler
   on the same cores, the SMTP email backend sending to a local sink (bench/smtp_sink.py): the
   delay from submission to email.
4. Timing: the answer time of the signing form for a new and a known address, and of "send me
   the link again" for a known pending and an unknown address, alternated, against one gunicorn
   worker: medians, p90, and a bootstrap interval of the difference.

    .venv/bin/python bench/signing_load.py [--duration 60] [--clients 50] [--workers 4]
        [--drain-rows 100000] [--timing-samples 500] [--skip-signing] [--skip-drain]
        [--skip-sustained] [--skip-timing]

The load comes from wrk (apt-get install -y wrk), which takes little of the 2 cores. Needs
PostgreSQL on 127.0.0.1:5432 (a database `lettre_bench` is recreated) and Redis on 127.0.0.1:6379
(database 9 is flushed). Challenges are pre-solved at a low cost (SIGNATURES_ALTCHA_COST=1): the
server verifies them exactly as in production. Stops by itself.
"""

import argparse
import gc
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, namedtuple
from datetime import timedelta
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
    "TASKS_LOG_LEVEL": "WARNING",
}

# Targets (issue 12).
TARGET_RATIO = 0.70
TARGET_P99 = 0.100
TARGET_DRAIN_RATE = 2000
TARGET_EMAIL_P99 = 5.0
TARGET_TIMING_DIFF = 0.0005

WEBMAILS = ("gmail.com", "orange.fr", "free.fr", "laposte.net", "outlook.fr", "hotmail.fr")
SUMMARY = []  # (phase, line): printed again at the end


def report(phase, line):
    print(line, flush=True)
    SUMMARY.append((phase, line))


def verdict(ok):
    return "met" if ok else "NOT MET"


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


def prepare_site():
    """Migrate and build the demo site; returns (campaign, letter page path)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, run_syncdb=True)  # benchapp has no migrations
    from django.conf import settings

    # The pages are read, not their CSS and JS: WhiteNoise only needs the folder to exist.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    call_command("load_demo_content", verbosity=0)
    from campaigns.models import Campaign
    from content.models import OpenLetterPage
    from signatories import counts

    letter = OpenLetterPage.objects.live().filter(locale__language_code="fr").first()
    campaign = letter.campaign
    Campaign.objects.filter(pk=campaign.pk).update(status="open", goal=100000, closes_at=None)
    campaign.refresh_from_db()
    counts.refresh_campaign(campaign)
    return campaign, letter.url


# --- People and their forms -------------------------------------------------------------------


def person_email(n, tag):
    """Person n of a series `tag`: distinct people, a third of them on webmail, the others spread
    over 5,000 domains (as real signers are)."""
    if n % 3 == 0:
        return f"prenom.nom{n}.{tag}@{WEBMAILS[n % len(WEBMAILS)]}"
    return f"signataire{n}.{tag}@asso{n % 5000}.example.org"


def other_spelling(email, k):
    """The same mailbox typed another way: case, Gmail's dots, +tags, googlemail.com."""
    local, _, domain = email.rpartition("@")
    if domain == "gmail.com":
        variants = [
            email.upper(),
            f"{local.replace('.', '')}@gmail.com",
            f"{local}+lettre@gmail.com",
            f"{local}@googlemail.com",
            f"{local.title()}@GMail.com",
        ]
    elif domain in ("outlook.fr", "hotmail.fr"):
        variants = [f"{local}+petition@{domain}", email.upper(), f"{local.capitalize()}@{domain}"]
    else:
        variants = [email.upper(), f"{local.capitalize()}@{domain.upper()}", email.title()]
    return variants[k % len(variants)]


CATEGORIES = ("individual", "individual", "individual", "professional", "organisation")


def person_fields(n, email):
    """What person n types in the signing form (the fields the view validates)."""
    category = CATEGORIES[n % len(CATEGORIES)]
    fields = {
        "category": category,
        "first_name": f"Prénom{n}",
        "last_name": f"Nom{n}",
        "email": email,
        "postcode": f"{n % 95 + 1:02d}{n % 1000:03d}",
        "consent_sign": "on",
        "consent_public": "on" if n % 2 else "",
        "website": "",
    }
    if category == "professional":
        fields.update(job_title="Bibliothécaire", establishment=f"Médiathèque {n}")
    elif category == "organisation":
        fields.update(organisation=f"Association {n}")
    return fields


def signing_bodies(campaign, emails, first=0):
    """One urlencoded signing form per address, each with its own solved ALTCHA challenge."""
    import altcha

    from signatories import abuse

    token = abuse.make_form_token(campaign, now=time.time() - 30)
    bodies = []
    for n, email in enumerate(emails, first):
        challenge = abuse.create_challenge()
        solution = altcha.solve_challenge(challenge)
        fields = person_fields(n, email)
        fields.update(form_token=token, altcha=altcha.Payload(challenge, solution).to_base64())
        bodies.append(urllib.parse.urlencode(fields).encode())
    return bodies


def add_known_signers(campaign, emails, *, confirmed_share=0.0):
    """People who signed two days ago (signatures pending, or confirmed for `confirmed_share` of
    them), bulk-inserted: the known addresses of the drain and of the timing phase."""
    from django.utils import timezone

    from signatories.canonical import canonical_email, email_domain
    from signatories.models import Signatory, Signature

    then = timezone.now() - timedelta(days=2)
    people = Signatory.objects.bulk_create(
        [Signatory(email=e, canonical_email=canonical_email(e)) for e in emails], batch_size=2000
    )
    confirmed = int(len(people) * confirmed_share)
    Signature.objects.bulk_create(
        [
            Signature(
                campaign=campaign,
                signatory=person,
                status="confirmed" if n < confirmed else "pending",
                confirmed_at=then if n < confirmed else None,
                category="individual",
                first_name=f"Connu{n}",
                last_name=f"Signataire{n}",
                consent_version="2026-11",
                consented_at=then,
                created_at=then,
                email_domain=email_domain(person.email),
                emails_sent=1,
                last_emailed_at=then,
                token=secrets.token_urlsafe(32),
            )
            for n, person in enumerate(people)
        ],
        batch_size=2000,
    )
    return people


# --- Servers ------------------------------------------------------------------------------------


def server_env(root=ROOT, extra_env=None):
    return {
        **os.environ,
        **ENV,
        "STATIC_ROOT": str(ROOT / "var" / "static"),  # pages are read, not their CSS and JS
        **(extra_env or {}),
        "PYTHONPATH": f"{root}:{root / 'site'}:{root / 'bench'}",
    }


def start_gunicorn(workers, *, root=ROOT, extra_env=None, extra_args=()):
    """gunicorn serving the tree at `root` (another checkout, to compare versions; with its own
    virtualenv if it has one), plus `extra_env` (e.g. a setting to compare)."""
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
        env=server_env(root, extra_env),
        start_new_session=True,
    )


def start_manage(command, *, extra_env=None, log):
    """A `manage.py` command (the worker, the scheduler) with production settings."""
    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", *command],
        cwd=ROOT,
        env=server_env(extra_env=extra_env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process, timeout=30):
    """Terminate a process this script started (and its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


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


def wait_until(predicate, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


class AnalyzeStandIn(threading.Thread):
    """ANALYZE the bench database every `interval` seconds, as autovacuum would keep its planner
    statistics up to date in production. For a server that runs with autovacuum = off (as CI
    servers do): without statistics, the worker's lookups in tables that grew from nothing to
    100,000 rows are planned as sequential scans, 4 to 5 times slower per batch."""

    def __init__(self, interval=20):
        super().__init__(daemon=True)
        self.interval = interval
        self.done = threading.Event()

    def run(self):
        import psycopg

        with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn:
            while not self.done.wait(self.interval):
                conn.execute("ANALYZE")

    def stop(self):
        self.done.set()
        self.join()


def autovacuum_on():
    import psycopg

    with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn:
        return conn.execute("SHOW autovacuum").fetchone()[0] == "on"


# --- Load generation: wrk, so that the load generator takes little of the 2 cores ------------

WRK_SCRIPT = ROOT / "bench" / "wrk_load.lua"
WRK_THREADS = 2

# sent: requests sent by each wrk thread (answered, or in flight when wrk stopped)
Load = namedtuple("Load", "requests errors unexpected p50 p99 seconds cpu sent")


def cpu_seconds():
    """CPU time the whole machine spent busy so far (every process: server, database, wrk)."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(
            int, stat.readline().split()[1:9]
        )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_cpu(pid):
    """CPU seconds of one local process so far (None if it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average():
    return Path("/proc/loadavg").read_text().split()[0]


def _proc_stat(pid):
    """(parent pid, own CPU seconds) of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _kind(pid, me):
    """What a process is, for CpuShare: None if it is not this benchmark's."""
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    if cmdline.startswith(b"postgres:"):
        return "postgres" if f" {DB_NAME} ".encode() in cmdline else None
    if pid == me:
        return "bench script"
    for word, kind in (
        (b"gunicorn", "gunicorn"),
        (b"wrk", "wrk"),
        (b"db_worker", "worker"),
        (b"run_scheduler", "scheduler"),
        (b"smtp_sink", "smtp sink"),
    ):
        if word in cmdline:
            return kind
    return "other of ours"


class CpuShare(threading.Thread):
    """The machine's busy CPU time between start() and stop(), and how much of it this benchmark
    took, by kind of process: this process and its descendants (gunicorn, wrk, the worker...),
    and the PostgreSQL backends of its database. The rest is other processes on this shared
    machine. Polled every half second: a process's last half second before it exits is missed."""

    def __init__(self):
        super().__init__(daemon=True)
        self.done = threading.Event()
        self.kinds = {}

    def sample(self):
        me = os.getpid()
        stats = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    stats[int(name)] = _proc_stat(int(name))
                except OSError:
                    continue
        found = {}
        for pid, (_parent, own) in stats.items():
            if pid not in self.kinds:
                ancestor = pid
                while ancestor in stats and ancestor not in (me, 0, 1):
                    ancestor = stats[ancestor][0]
                try:
                    kind = _kind(pid, me)
                except OSError:
                    continue
                if ancestor != me and kind != "postgres":
                    kind = None
                self.kinds[pid] = kind
            if self.kinds[pid]:
                found[pid] = own
        return found

    def run(self):
        self.machine_before = cpu_seconds()
        first = self.sample()
        last = dict(first)
        while not self.done.wait(0.5):
            last.update(self.sample())
        last.update(self.sample())
        self.machine = cpu_seconds() - self.machine_before
        self.by_kind = Counter()
        for pid, seconds in last.items():
            self.by_kind[self.kinds[pid]] += seconds - first.get(pid, 0.0)

    def stop(self):
        """(machine busy, this benchmark's, other processes') CPU seconds, and this benchmark's
        by kind of process."""
        self.done.set()
        self.join()
        ours = sum(self.by_kind.values())
        return self.machine, ours, max(0.0, self.machine - ours), self.by_kind


def cpu_text(share, seconds, per=None):
    """The machine's busy share; with `per` (requests, rows...), this benchmark's CPU per item by
    kind of process, in ms."""
    machine, ours, other, by_kind = share
    cores = os.cpu_count() * seconds
    text = (
        f"machine {machine / cores:.0%} busy: this benchmark {ours / cores:.0%}, "
        f"other processes {other / cores:.0%}"
    )
    if per:
        kinds = ", ".join(
            f"{kind} {cpu * 1000 / per:.2f}" for kind, cpu in by_kind.most_common() if cpu > 0
        )
        text += f"; ms of CPU each: {ours * 1000 / per:.2f} ({kinds})"
    return text


def run_load(url, clients, duration, *, bodies=None, expected=303, workdir, rate=None):
    """Run `clients` concurrent connections for `duration` seconds with wrk: as fast as the
    server answers, or paced at `rate` requests/s (random departures) if given. Returns a Load;
    its `errors` are socket errors plus unexpected statuses."""
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
    env = dict(os.environ)
    if rate:
        env["WRK_THREAD_RATE"] = str(rate / threads)
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
        env=env,
    )
    cpu = cpu_seconds() - cpu_before
    requests, socket_errors, unexpected, p50, p99, micros, *sent = map(
        int, result.read_text().split()
    )
    sent[0] -= 1  # wrk calls the first thread's request() once to check it, and sends nothing
    if bodies and len(bodies) > 2 * threads and sum(sent) >= len(bodies) - threads:
        print(f"  WARNING: wrk sent {sum(sent)} requests for {len(bodies)} bodies: some twice")
    return Load(
        requests,
        socket_errors + unexpected,
        unexpected,
        p50 / 1e6,
        p99 / 1e6,
        micros / 1e6,
        cpu,
        sent,
    )


def sent_items(items, load, threads=WRK_THREADS):
    """The items (bodies, or their addresses) wrk sent, from each thread's share (the first
    thread's first item went to wrk's check of request(): it starts with the second)."""
    share = len(items) // threads
    sent = []
    for index, count in enumerate(load.sent):
        own = items[index * share : (index + 1) * share]
        first = 1 if index == 0 else 0
        sent.extend(own[(first + k) % len(own)] for k in range(count))
    return sent


def describe(name, load, show_cpu=True):
    rate = load.requests / load.seconds
    # cpu: ms of machine CPU per request, wrk and the database included (the signing phase is
    # charged with the letter page load running beside it).
    cpu_text = f"cpu {load.cpu * 1000 / max(load.requests, 1):5.2f} ms/req" if show_cpu else ""
    print(
        f"{name:<32} {rate:7.0f} req/s   p50 {load.p50 * 1000:6.1f} ms   p99 "
        f"{load.p99 * 1000:6.1f} ms   errors {load.errors:<3} {cpu_text}",
        flush=True,
    )
    return rate


# --- Phase 1: signing ------------------------------------------------------------------------


def phase_signing(ctx, args):
    """Baseline, letter page, then the signing load; checks one Submission per 303."""
    from django.db import connections
    from django.utils import timezone

    from signatories.counts import refresh_campaign
    from signatories.models import Submission

    print(f"\n== 1. Signing (load average {load_average()}) ==", flush=True)
    started = time.time()
    emails = [person_email(n, ctx.tag + "s") for n in range(args.max_rate * args.duration)]
    bodies = signing_bodies(ctx.campaign, emails)
    print(f"  {len(bodies)} signature bodies in {time.time() - started:.0f}s", flush=True)
    connections.close_all()

    base_url = f"http://127.0.0.1:{PORT}"
    server = start_gunicorn(args.workers)
    try:
        wait_ready(ctx.letter_path)
        print(
            f"gunicorn: {args.workers} sync workers; wrk: {args.clients} connections, "
            f"{args.duration}s per phase",
            flush=True,
        )
        baseline_url = f"{base_url}/bench/baseline/"
        baseline_bodies = [b"email=x%40example.org"] * 2
        run_load(baseline_url, args.clients, 5, bodies=baseline_bodies, workdir=ctx.workdir)
        share = CpuShare()
        share.start()
        base = run_load(
            baseline_url, args.clients, args.duration, bodies=baseline_bodies, workdir=ctx.workdir
        )
        base_share = share.stop()
        base_rate = describe("baseline (one-row insert)", base)
        if args.letter_clients:
            describe(
                "letter page, idle site",
                run_load(
                    f"{base_url}{ctx.letter_path}",
                    args.letter_clients,
                    10,
                    expected=200,
                    workdir=ctx.workdir,
                ),
            )

        # Refresh counts as the periodic task does, while signatures pour in.
        stop_refresh = threading.Event()

        def refresher():
            while not stop_refresh.wait(10):
                refresh_campaign(ctx.campaign)

        threading.Thread(target=refresher, daemon=True).start()
        letter_result = {}

        def letter_load():
            letter_result["r"] = run_load(
                f"{base_url}{ctx.letter_path}",
                args.letter_clients,
                args.duration,
                expected=200,
                workdir=ctx.workdir,
            )

        signing_started = timezone.now()
        letter_thread = threading.Thread(target=letter_load)
        if args.letter_clients:
            letter_thread.start()
        share = CpuShare()
        share.start()
        signs = run_load(
            f"{base_url}/fr/signer/{ctx.campaign.slug}/",
            args.clients,
            args.duration,
            bodies=bodies,
            workdir=ctx.workdir,
        )
        if args.letter_clients:
            letter_thread.join()
        sign_share = share.stop()
        stop_refresh.set()
        # The requests still in flight when wrk stopped wait in the listen backlog: let the
        # server finish them before it stops (a stopping gunicorn drops its backlog).
        recorded = Submission.objects.filter(kind="sign", created_at__gte=signing_started)
        counts = [recorded.count()]
        while len(counts) < 3 or counts[-1] != counts[-3]:
            time.sleep(0.25)
            counts.append(recorded.count())
        sign_rate = describe("signatures (signing form POST)", signs)
        if args.letter_clients:
            describe("letter page during signing", letter_result["r"], show_cpu=False)
    finally:
        stop(server)

    # Every 303 stored exactly one Submission. wrk stops with some requests sent and not answered
    # yet (in flight), which the server completes: so each request sent that got no other answer
    # than a 303 must have stored one row, all distinct and all among the addresses sent.
    sent = sent_items(emails, signs)
    stored = list(recorded.values_list("email", flat=True))
    answered = signs.requests - signs.unexpected
    in_flight = sum(signs.sent) - signs.requests
    distinct = set(stored)
    strays = distinct - set(sent)
    sound = len(distinct) == len(stored) and not strays
    exact = sound and len(stored) == answered + in_flight
    bounded = sound and answered <= len(stored) <= answered + in_flight
    ratio = sign_rate / base_rate if base_rate else 0
    # The same comparison by CPU per request, which the other processes move less than the rates.
    cpu_ratio = (base_share[1] / max(base.requests, 1)) / (sign_share[1] / max(signs.requests, 1))
    report(
        "signing",
        f"baseline (one-row insert): {base_rate:,.0f} posts/s, p50 {base.p50 * 1000:.1f} ms, "
        f"p99 {base.p99 * 1000:.1f} ms, errors {base.errors}; "
        f"{cpu_text(base_share, base.seconds, base.requests)}",
    )
    report(
        "signing",
        f"signing: {sign_rate:,.0f} signatures/s, p50 {signs.p50 * 1000:.1f} ms, "
        f"p99 {signs.p99 * 1000:.1f} ms, errors {signs.errors}; "
        f"{cpu_text(sign_share, signs.seconds, signs.requests)}"
        f"{' (the letter page readers included)' if args.letter_clients else ''}",
    )
    report(
        "signing",
        f"303 answers: {answered:,}; in flight when wrk stopped: {in_flight}; submissions "
        f"stored: {len(stored):,} ({len(distinct):,} distinct addresses, {len(strays)} not sent)"
        f" -> one Submission per 303: {'yes' if bounded else 'NO'}"
        + (
            " (exactly: each request in flight stored one too)"
            if exact
            else f" ({answered + in_flight - len(stored)} of those in flight stored none)"
        ),
    )
    report(
        "signing",
        f"ratio to the baseline: {ratio:.0%} by rate; {cpu_ratio:.0%} by this benchmark's CPU per "
        "request (a post's over a signature's)",
    )
    report(
        "signing",
        f"targets: ratio {ratio:.0%} >= 70 %: {verdict(ratio >= TARGET_RATIO)}; "
        f"p99 {signs.p99 * 1000:.0f} ms < 100 ms: {verdict(signs.p99 < TARGET_P99)}; "
        f"0 errors: {verdict(signs.errors == 0)}",
    )


# --- Phase 2: the worker drains the queue -----------------------------------------------------


def fill_queue(campaign, count, tag, known_emails):
    """Bulk-insert `count` waiting submissions as the door would have recorded them: distinct new
    people (1 % of them bots caught by the honeypot), 4 % people already in the queue typing their
    address another way, 1 % known signers (other spellings too), 0.5 % "send me the link again"
    from known signers. Spread over the last `count` milliseconds. Each signing row is what the
    door's own code makes of a valid form (SignatureForm, abuse.assess, intake.record_signature),
    collected instead of inserted one by one."""
    from django.utils import timezone

    from signatories import abuse, intake
    from signatories.forms import SignatureForm
    from signatories.models import Submission

    queued = list(
        Submission.objects.filter(status="waiting", kind="sign").values_list("email", flat=True)
    )
    token = abuse.make_form_token(campaign, now=time.time() - 30)
    now = timezone.now()
    rows, person = [], 0
    saved_insert = intake._insert
    intake._insert = rows.append  # what the door would insert, kept for one bulk insert
    try:
        for i in range(count):
            roll = i % 200
            n = 1_000_000 + i
            bot, resend = False, False
            if roll < 8 and queued:  # 4 %: someone already in the queue, typed another way
                email = other_spelling(queued[(i * 7919) % len(queued)], i)
            elif roll < 10:  # 1 %: a known signer
                email = other_spelling(known_emails[i % len(known_emails)], i // 200)
            elif roll == 10:  # 0.5 %: a known signer asks for the link again
                email, resend = known_emails[(i * 31) % len(known_emails)], True
            else:
                email = person_email(person, tag)
                person += 1
                bot = roll in (11, 12)  # 1 %: the honeypot caught a bot
                queued.append(email)
            ip_hash = abuse.hash_ip(f"10.{200 + n % 50}.{n // 250 % 250}.{n % 250}")
            created_at = now - timedelta(milliseconds=count - i)
            if resend:
                intake.record_resend(campaign, email, ip_hash=ip_hash, language="fr")
                rows[-1].created_at = created_at
                continue
            form = SignatureForm(
                {**person_fields(n, email), "form_token": token, "website": "x" if bot else ""}
            )
            assert form.is_valid(), form.errors
            challenge = secrets.token_hex(32)  # an ALTCHA challenge's signature
            intake.record_signature(
                campaign,
                form.cleaned_data,
                verdict=abuse.assess(honeypot=bot, elapsed=30, challenge=challenge),
                challenge=challenge,
                ip_hash=ip_hash,
                language="fr",
                now=created_at,
            )
    finally:
        intake._insert = saved_insert
    Submission.objects.bulk_create(rows, batch_size=2000)


def emails_queued(since):
    """(tasks, emails) queued on the "emails" queue since `since`, and not run yet."""
    from django_tasks_db.models import DBTaskResult

    tasks = DBTaskResult.objects.filter(
        task_path="signatories.tasks.send_signature_emails", enqueued_at__gte=since
    ).values_list("args_kwargs", flat=True)
    tasks = list(tasks)
    return len(tasks), sum(len(task["args"][0]) for task in tasks)


def phase_drain(ctx, args):
    """Fill the queue up to --drain-rows, then time the worker's task until it is empty."""
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from signatories import tasks
    from signatories.models import Signatory, Signature, Submission

    print(f"\n== 2. Worker drain (load average {load_average()}) ==", flush=True)
    waiting = Submission.objects.filter(status="waiting").count()
    fill = max(0, args.drain_rows - waiting)
    known_emails = [person_email(n, ctx.tag + "k") for n in range(max(50, args.drain_rows // 200))]
    started = time.time()
    add_known_signers(ctx.campaign, known_emails, confirmed_share=0.4)
    fill_queue(ctx.campaign, fill, ctx.tag + "q", known_emails)
    print(
        f"  queue: {waiting:,} submissions from the signing phase + {fill:,} bulk-inserted "
        f"({time.time() - started:.0f}s); {len(known_emails)} known signers",
        flush=True,
    )
    before = set(
        Signatory.objects.filter(signatures__campaign=ctx.campaign).values_list(
            "canonical_email", flat=True
        )
    )
    total = Submission.objects.filter(status="waiting").count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    since = timezone.now()
    cpu_before, backend_before = process_cpu(os.getpid()), process_cpu(backend)
    share = CpuShare()
    share.start()
    clock = time.perf_counter()
    done, runs = 0, 0
    while True:
        # What the worker runs each time the scheduler's queued task comes up (every second):
        # it drains for up to 10 s, then returns so that other tasks get their turn.
        taken = tasks.process_submissions.call()
        runs += 1
        done += taken
        elapsed = time.perf_counter() - clock
        if not taken:
            break
        print(f"  {done:,} submissions in {elapsed:.1f}s ({done / elapsed:,.0f}/s)", flush=True)
    machine = share.stop()
    cpu = process_cpu(os.getpid()) - cpu_before
    backend_cpu = process_cpu(backend) - backend_before
    rate = done / elapsed

    left = Submission.objects.filter(status="waiting").count()
    failed = Submission.objects.filter(status="failed").count()
    signed = set(
        Submission.objects.filter(kind="sign", campaign=ctx.campaign)
        .values_list("canonical_email", flat=True)
        .distinct()
    )
    expected = len(signed | before)
    signatures = Signature.objects.filter(campaign=ctx.campaign).count()
    people = Signatory.objects.filter(canonical_email__in=signed | before).count()
    outcomes = Counter(
        dict(
            Submission.objects.filter(processed_at__gte=since)
            .values_list("outcome")
            .annotate(n=Count("pk"))
            .values_list("outcome", "n")
        )
    )
    bots_new = Submission.objects.filter(processed_at__gte=since, bot=True, outcome="new").count()
    email_tasks, emails = emails_queued(since)
    emails_expected = (
        outcomes["new"] - bots_new + outcomes["reminded"] + outcomes["signed-again"]
    ) + outcomes["resent"]
    report(
        "drain",
        f"drain: {done:,} submissions in {elapsed:.1f}s = {rate:,.0f}/s ({runs} task runs); "
        f"CPU: worker {cpu:.1f}s, its PostgreSQL backend {backend_cpu:.1f}s; "
        f"{cpu_text(machine, elapsed, done)}",
    )
    report(
        "drain",
        "outcomes: " + ", ".join(f"{k or '?'} {v:,}" for k, v in sorted(outcomes.items())),
    )
    report(
        "drain",
        f"left waiting {left}, failed {failed}; signatures {signatures:,} = distinct canonical "
        f"emails {expected:,}: {'yes' if signatures == expected else 'NO'}; signatories "
        f"{people:,}; emails queued {emails:,} in {email_tasks} tasks "
        f"(expected {emails_expected:,}: {'yes' if emails == emails_expected else 'NO'})",
    )
    report(
        "drain",
        f"target: {rate:,.0f}/s >= 2,000/s: {verdict(rate >= TARGET_DRAIN_RATE and not left)}"
        + ("" if total == done else f" (queued {total:,}, drained {done:,})"),
    )
    # The emails these batches queued are not the sustained phase's: drop them.
    DBTaskResult.objects.filter(status="READY").delete()


# --- Phase 3: sustained load with the worker, the scheduler and the mail sink ------------------


def start_sink(workdir):
    out = Path(workdir) / "sink.txt"
    out.touch()
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(out)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    return sink, int(sink.stdout.readline()), out


def arrivals(path):
    """{canonical recipient: first arrival time} from the sink's file."""
    from signatories.canonical import canonical_email

    found = {}
    for line in path.read_text().splitlines():
        stamp, *recipients = line.split()
        for recipient in recipients:
            found.setdefault(canonical_email(recipient), float(stamp))
    return found


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def phase_sustained(ctx, args):
    """Paced signing with one worker and the scheduler running; delay from submission to email."""
    from django.db import connections
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from signatories import tasks
    from signatories.canonical import canonical_email
    from signatories.models import Submission

    print(f"\n== 3. Sustained (load average {load_average()}) ==", flush=True)
    # Whatever an earlier phase left in the queue is processed first, without emails.
    while tasks.process_submissions.call():
        pass
    DBTaskResult.objects.filter(status="READY").delete()
    duration, rate, clients = args.duration, args.sustained_rate, args.sustained_clients
    ready_count = 100
    count = ready_count + int(rate * duration * 1.5) + 100
    emails = [person_email(n, ctx.tag + "e") for n in range(count)]
    bodies = signing_bodies(ctx.campaign, emails)
    connections.close_all()

    sink, sink_port, sink_file = start_sink(ctx.workdir)
    mail_env = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink_port),
        "SITE_URL": "https://lettre.example.org",
    }
    log = open(Path(ctx.workdir) / "worker.log", "w")  # noqa: SIM115 - closed below
    server = start_gunicorn(args.workers, extra_env=mail_env)
    interval = ["--interval", str(args.worker_interval)]
    worker = start_manage(
        ["db_worker", "--queue-name", "*", *interval], extra_env=mail_env, log=log
    )
    scheduler = start_manage(["run_scheduler"], extra_env=mail_env, log=log)
    url = f"http://127.0.0.1:{PORT}/fr/signer/{ctx.campaign.slug}/"
    try:
        wait_ready(ctx.letter_path)
        # Is the worker up? A few signatures, until their emails arrive.
        ready = run_load(url, 2, 3, bodies=bodies[:ready_count], workdir=ctx.workdir, rate=20)
        ready_emails = {canonical_email(e) for e in sent_items(emails[:ready_count], ready)}
        if not wait_until(lambda: ready_emails <= set(arrivals(sink_file)), 60):
            missing = ready_emails - set(arrivals(sink_file))
            print(
                f"  WARNING: {len(missing)} of the first {len(ready_emails)} emails did not "
                f"arrive within 60 s, e.g. {sorted(missing)[:3]}"
            )
        measured = bodies[ready_count:]
        started = timezone.now()
        share = CpuShare()
        share.start()
        load = run_load(
            url,
            clients,
            duration,
            bodies=measured,
            workdir=ctx.workdir,
            rate=rate,
        )
        machine = share.stop()
        describe("signatures, paced", load)
        submitted = dict(
            Submission.objects.filter(created_at__gte=started, kind="sign").values_list(
                "canonical_email", "created_at"
            )
        )
        wait_until(lambda: set(submitted) <= set(arrivals(sink_file)), 120, step=0.5)
        queue_left = Submission.objects.filter(status="waiting").count()
    finally:
        for process in (scheduler, worker, server, sink):
            stop(process)
        log.close()
    runs = (
        DBTaskResult.objects.filter(started_at__gte=started, finished_at__isnull=False)
        .values_list("task_path", "started_at", "finished_at")
        .order_by()
    )
    by_task = {}
    for path, began, ended in runs:
        by_task.setdefault(path.rsplit(".", 1)[1], []).append((ended - began).total_seconds())
    got = arrivals(sink_file)
    delays = [got[email] - at.timestamp() for email, at in submitted.items() if email in got]
    missing = len(submitted) - len(delays)
    errors = [
        line
        for line in (Path(ctx.workdir) / "worker.log").read_text().splitlines()
        if "Error" in line or "Traceback" in line
    ]
    report(
        "sustained",
        f"sustained: {load.requests / load.seconds:,.0f} signatures/s paced ({clients} "
        f"connections, target {rate}/s) for {duration}s, p50 {load.p50 * 1000:.1f} ms, "
        f"p99 {load.p99 * 1000:.1f} ms, errors {load.errors}; "
        f"{cpu_text(machine, load.seconds, load.requests)}",
    )
    if delays:
        report(
            "sustained",
            f"submission to email: {len(delays):,} emails, p50 "
            f"{statistics.median(delays):.2f}s, p99 {percentile(delays, 0.99):.2f}s, max "
            f"{max(delays):.2f}s; missing {missing}; still waiting {queue_left}; worker log "
            f"errors {len(errors)}",
        )
        p99 = percentile(delays, 0.99)
        report(
            "sustained",
            f"target: p99 {p99:.2f}s < 5 s: {verdict(p99 < TARGET_EMAIL_P99 and not missing)}",
        )
    else:
        report("sustained", f"no email arrived ({len(submitted)} submissions): NOT MET")
    report(
        "sustained",
        "worker task runs: "
        + "; ".join(
            f"{name} {len(times)}, mean {statistics.mean(times):.3f}s, max {max(times):.3f}s"
            for name, times in sorted(by_task.items(), key=lambda item: -sum(item[1]))
        ),
    )
    for line in errors[:5]:
        print("  worker:", line)


# --- Phase 4: timing of a new versus a known address ----------------------------------------


def timed_post(path, body, headers):
    """(status, seconds) of one POST over a fresh connection (gunicorn's sync workers close
    every connection), measured by the client from connect to the end of the answer."""
    clock = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    conn.request("POST", path, body, headers)
    response = conn.getresponse()
    response.read()
    seconds = time.perf_counter() - clock
    conn.close()
    return response.status, seconds


def csrf_for(path):
    """(cookie header, form token) from the resend page, as a browser would have them."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    html = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return cookie, token


def alternate(path, first, second, headers, expected=303, pause=0.001):
    """Post first[0], second[0], first[1], second[1]...; returns the two lists of seconds and
    the count of unexpected statuses. The requests are laid out beforehand and each is followed
    by the same short pause, so that neither side follows the other more closely."""
    requests = []
    for n, pair in enumerate(zip(first, second, strict=True)):
        for side, body in enumerate(pair):
            ip = f"10.251.{(2 * n + side) // 250 % 250}.{(2 * n + side) % 250 + 1}"
            requests.append((side, body, {**headers, "X-Forwarded-For": ip}))
    times = ([], [])
    bad = 0
    for side, body, request_headers in requests:
        status, seconds = timed_post(path, body, request_headers)
        bad += status != expected
        times[side].append(seconds)
        time.sleep(pause)
    return times, bad


def bootstrap_interval(a, b, resamples=10_000, seed=12):
    """95 % interval of median(b) - median(a), by resampling each with replacement."""
    rng = random.Random(seed)
    median = statistics.median
    diffs = sorted(
        median(rng.choices(b, k=len(b))) - median(rng.choices(a, k=len(a)))
        for _ in range(resamples)
    )
    return diffs[int(0.025 * resamples)], diffs[int(0.975 * resamples) - 1]


def compare(name, labels, times, bad, *, control=False):
    """Medians, p90 and the difference of medians with its bootstrap interval; a control (two
    sets of addresses alike) prints the difference only: what the method sees where there is
    nothing to see."""
    a, b = times
    diff = statistics.median(b) - statistics.median(a)
    low, high = bootstrap_interval(a, b)
    for label, values in zip(labels, times, strict=True):
        if control:
            break
        report(
            "timing",
            f"{name}, {label}: median {statistics.median(values) * 1000:.2f} ms, p90 "
            f"{percentile(values, 0.9) * 1000:.2f} ms ({len(values)} samples)",
        )
    ok = abs(diff) < TARGET_TIMING_DIFF and (
        low <= 0 <= high or (low >= -TARGET_TIMING_DIFF and high <= TARGET_TIMING_DIFF)
    )
    report(
        "timing",
        f"{name}: difference of medians ({labels[1]} - {labels[0]}) {diff * 1000:+.3f} ms, 95 % "
        f"interval [{low * 1000:+.3f}, {high * 1000:+.3f}] ms; unexpected statuses {bad}"
        + ("" if control else f"; target |difference| < 0.5 ms: {verdict(ok and not bad)}"),
    )


def phase_timing(ctx, args):
    """Answer times for new and known addresses, alternated, against one gunicorn worker."""
    from django.db import connections

    print(f"\n== 4. Timing (load average {load_average()}) ==", flush=True)
    n = args.timing_samples
    warm = 50
    tag = ctx.tag + "t"

    # Addresses of the same shape and length: known ones have a pending signature; the control
    # compares two sets of new addresses in the same way.
    def addresses(letter):
        return [f"t{i:06d}.{tag}{letter}@asso{i % 5000}.example.org" for i in range(n + warm)]

    known = addresses("k")
    add_known_signers(ctx.campaign, known)
    # Each signing form has its own ALTCHA solution, usable once: four sets of forms.
    sign = {
        label: signing_bodies(ctx.campaign, emails)
        for label, emails in (
            ("new", addresses("n")),
            ("known", known),
            ("new, again", addresses("m")),
            ("other", addresses("o")),
        )
    }
    connections.close_all()
    server = start_gunicorn(1)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    sign_path = f"/fr/signer/{ctx.campaign.slug}/"
    resend_path = "/fr/signature/renvoyer/"
    try:
        wait_ready(ctx.letter_path)
        cookie, token = csrf_for(f"{resend_path}?campaign={ctx.campaign.slug}")

        def resend_bodies(emails):
            return [
                urllib.parse.urlencode(
                    {"email": email, "campaign": ctx.campaign.slug, "csrfmiddlewaretoken": token}
                ).encode()
                for email in emails
            ]

        resend = {
            "unknown": resend_bodies(addresses("u")),
            "known": resend_bodies(known),
            "unknown, again": resend_bodies(addresses("v")),
            "other": resend_bodies(addresses("w")),
        }
        resend_headers = {**form, "Cookie": cookie}
        share = CpuShare()
        share.start()
        clock = time.perf_counter()
        gc.disable()  # the client's own collections would fall on one side or the other
        try:
            results = {}
            for name, path, bodies, first, headers in (
                ("signing", sign_path, sign, "new", form),
                ("resend", resend_path, resend, "unknown", resend_headers),
            ):
                for one, two in ((first, "known"), (f"{first}, again", "other")):
                    alternate(path, bodies[one][:warm], bodies[two][:warm], headers)
                    results[name, two] = alternate(
                        path, bodies[one][warm:], bodies[two][warm:], headers
                    )
        finally:
            gc.enable()
        machine = share.stop()
    finally:
        stop(server)
    report("timing", f"timing phase: {cpu_text(machine, time.perf_counter() - clock)}")
    compare("signing form", ("new address", "known address"), *results["signing", "known"])
    compare(
        "signing form, control",
        ("new address", "other new address"),
        *results["signing", "other"],
        control=True,
    )
    compare(
        "resend form", ("unknown address", "known pending address"), *results["resend", "known"]
    )
    compare(
        "resend form, control",
        ("unknown address", "other unknown address"),
        *results["resend", "other"],
        control=True,
    )


# --- Main -------------------------------------------------------------------------------------


class Context:
    def __init__(self, campaign, letter_path, workdir):
        self.campaign = campaign
        self.letter_path = letter_path
        self.workdir = workdir
        self.tag = f"r{int(time.time()) % 100000}"
        self.analyze = None  # the ANALYZE stand-in for autovacuum, if one runs


def describe_machine():
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return (
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} x {model}; "
        f"commit {commit[:7]}"
        f"{f' + uncommitted working tree ({len(dirty.splitlines())} files)' if dirty else ''}; "
        f"load average {load_average()}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds per load phase")
    parser.add_argument("--clients", type=int, default=50, help="wrk connections, signing phase")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (phases 1, 3)")
    parser.add_argument("--letter-clients", type=int, default=5, help="0: no letter page load")
    parser.add_argument("--max-rate", type=int, default=2000, help="signatures/s to prepare for")
    parser.add_argument("--drain-rows", type=int, default=100_000)
    parser.add_argument(
        "--no-analyze",
        dest="analyze",
        action="store_false",
        help="if the server runs without autovacuum, do not stand in for it",
    )
    parser.add_argument("--sustained-rate", type=float, default=100, help="signatures/s")
    parser.add_argument("--sustained-clients", type=int, default=10)
    parser.add_argument(
        "--worker-interval", type=float, default=1.0, help="db_worker --interval (README: 1)"
    )
    parser.add_argument("--timing-samples", type=int, default=1000, help="per kind of address")
    for phase in ("signing", "drain", "sustained", "timing"):
        parser.add_argument(f"--skip-{phase}", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False)
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")

    print(describe_machine(), flush=True)
    print("Preparing database and demo site...", flush=True)
    setup_django()
    recreate_database()
    ctx = Context(*prepare_site(), tempfile.mkdtemp(prefix="signing-load-"))
    from django.db import connections

    try:
        if not args.skip_signing:
            phase_signing(ctx, args)
        if args.analyze and not autovacuum_on():
            # From here on the worker reads the tables the door filled (the door reads none).
            print()
            report("setup", "autovacuum is off on this server: ANALYZE now and every 20 s instead")
            with connections["default"].cursor() as cursor:
                cursor.execute("ANALYZE")
            ctx.analyze = AnalyzeStandIn()
            ctx.analyze.start()
        if not args.skip_drain:
            phase_drain(ctx, args)
        if not args.skip_sustained:
            phase_sustained(ctx, args)
        if not args.skip_timing:
            phase_timing(ctx, args)
    finally:
        if ctx.analyze:
            ctx.analyze.stop()
        shutil.rmtree(ctx.workdir, ignore_errors=True)
    print(f"\n== Summary ({describe_machine()}) ==")
    for phase, line in SUMMARY:
        print(f"[{phase}] {line}")


if __name__ == "__main__":
    main()
