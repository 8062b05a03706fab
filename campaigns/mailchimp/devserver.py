"""A fake Mailchimp Marketing API server for local development, the tests and the bench.

A real HTTP server on 127.0.0.1 (stdlib ThreadingHTTPServer in a thread) that the real
`mailchimp-marketing` client reaches through `client.api_client.host`. It behaves like Mailchimp
where it matters (see ../shared/guide/mailchimp.md): problem+json errors, compliance state for
unsubscribed members, forgotten emails, "Member Exists", tags answering 204, batches with a real
tar.gz of results, webhook creation that first sends a validation GET, 429 beyond 10 simultaneous
connections; plus faults on demand (latency, outage as 5xx / reset connections / empty bodies)
and a log of every request for assertions.

Served by `manage.py fake_mailchimp` (or `python -m campaigns.mailchimp.devserver --port 8204`);
the product never imports it, and it imports nothing of the product.
"""

import argparse
import base64
import hashlib
import io
import itertools
import json
import re
import socket
import tarfile
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests


def member_id(email):
    return hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()


def now_iso():
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Problem(Exception):
    def __init__(self, status, title, detail=""):
        self.status, self.title, self.detail = status, title, detail

    def body(self, instance=""):
        return {
            "type": "https://mailchimp.com/developer/marketing/docs/errors/",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance or str(uuid.uuid4()),
        }


NOT_FOUND = Problem(404, "Resource Not Found", "The requested resource could not be found.")


class FakeMailchimp:
    """State and behaviour; `serve()` puts it on a port. Thread-safe through one lock."""

    def __init__(self, api_key="fakekey-us21", max_connections=10, latency=0.0):
        self.api_key = api_key
        self.max_connections = max_connections
        self.latency = latency
        self.outage = None  # None, "5xx", "empty", "reset", "html"
        self.batch_polls_before_finished = 0
        self.lock = threading.RLock()
        self.lists = {}
        self.forgotten = {}  # list id -> member ids permanently deleted
        self.batches = {}
        self.batch_archives = {}
        self.campaigns = {}
        self.sent_tests = []
        self.log = []
        self.active = 0
        self.max_active = 0
        self.rejected_for_limit = 0
        self.ids = itertools.count(1)
        self.server = None
        self.thread = None

    # --- set-up helpers for tests ---------------------------------------------------------------

    def add_list(self, list_id="aud1", name="Audience", required_merge_fields=()):
        with self.lock:
            self.lists[list_id] = {
                "id": list_id,
                "name": name,
                "members": {},
                "webhooks": {},
                "tags": {},
                "required": set(required_merge_fields),
            }
            self.forgotten.setdefault(list_id, set())
        return self.lists[list_id]

    def member(self, list_id, email_or_hash):
        key = email_or_hash if "@" not in email_or_hash else member_id(email_or_hash)
        return self.lists[list_id]["members"].get(key)

    def set_status(self, list_id, email, status):
        """Change a member as if it happened in Mailchimp (e.g. the person unsubscribed)."""
        with self.lock:
            m = self.member(list_id, email)
            m["status"] = status
            m["last_changed"] = now_iso()

    def members_count(self, list_id, status=None):
        with self.lock:
            members = self.lists[list_id]["members"].values()
            return sum(1 for m in members if status is None or m["status"] == status)

    def requests(self, method=None, path_re=None):
        with self.lock:
            return [
                r
                for r in self.log
                if (method is None or r["method"] == method)
                and (path_re is None or re.search(path_re, r["path"]))
            ]

    def api_calls(self):
        return [r for r in self.log if r["path"].startswith("/3.0/")]

    def reset_log(self):
        with self.lock:
            self.log.clear()
            self.max_active = 0

    # --- server ---------------------------------------------------------------------------------

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_host(self):
        return f"{self.url}/3.0"

    def serve(self, port=0):
        fake = self

        class Handler(RequestHandler):
            pass

        Handler.fake = fake
        self.server = Server(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    # --- dispatch -------------------------------------------------------------------------------

    def route(self, method, path, query, body):
        """Return (status, json or None). Raises Problem."""
        routes = [
            ("GET", r"/ping", self.ping),
            ("GET", r"/lists", self.get_lists),
            ("GET", r"/lists/(?P<list_id>[^/]+)", self.get_list),
            ("GET", r"/lists/(?P<list_id>[^/]+)/members", self.list_members),
            ("POST", r"/lists/(?P<list_id>[^/]+)/members", self.add_member),
            ("GET", r"/lists/(?P<list_id>[^/]+)/members/(?P<h>[^/]+)", self.get_member),
            ("PUT", r"/lists/(?P<list_id>[^/]+)/members/(?P<h>[^/]+)", self.put_member),
            ("PATCH", r"/lists/(?P<list_id>[^/]+)/members/(?P<h>[^/]+)", self.patch_member),
            ("DELETE", r"/lists/(?P<list_id>[^/]+)/members/(?P<h>[^/]+)", self.archive_member),
            (
                "POST",
                r"/lists/(?P<list_id>[^/]+)/members/(?P<h>[^/]+)/actions/delete-permanent",
                self.delete_permanent,
            ),
            ("POST", r"/lists/(?P<list_id>[^/]+)/members/(?P<h>[^/]+)/tags", self.post_tags),
            ("GET", r"/lists/(?P<list_id>[^/]+)/members/(?P<h>[^/]+)/tags", self.get_tags),
            ("GET", r"/lists/(?P<list_id>[^/]+)/segments", self.list_segments),
            ("POST", r"/lists/(?P<list_id>[^/]+)/webhooks", self.create_webhook),
            ("GET", r"/lists/(?P<list_id>[^/]+)/webhooks", self.list_webhooks),
            ("POST", r"/batches", self.start_batch),
            ("GET", r"/batches/(?P<batch_id>[^/]+)", self.batch_status),
            ("POST", r"/campaigns", self.create_campaign),
            ("GET", r"/campaigns/(?P<cid>[^/]+)", self.get_campaign),
            ("PATCH", r"/campaigns/(?P<cid>[^/]+)", self.update_campaign),
            ("PUT", r"/campaigns/(?P<cid>[^/]+)/content", self.set_content),
            ("POST", r"/campaigns/(?P<cid>[^/]+)/actions/test", self.send_test),
            ("POST", r"/campaigns/(?P<cid>[^/]+)/actions/send", self.send_campaign),
            ("POST", r"/campaigns/(?P<cid>[^/]+)/actions/schedule", self.schedule_campaign),
            ("POST", r"/campaigns/(?P<cid>[^/]+)/actions/unschedule", self.unschedule_campaign),
            ("GET", r"/reports/(?P<cid>[^/]+)", self.get_report),
        ]
        for verb, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                with self.lock:
                    return handler(query=query, body=body, **match.groupdict())
        raise NOT_FOUND

    def _list(self, list_id):
        if list_id not in self.lists:
            raise NOT_FOUND
        return self.lists[list_id]

    # --- lists and members ----------------------------------------------------------------------

    def ping(self, **_):
        return 200, {"health_status": "Everything's Chimpy!"}

    def _list_json(self, lst):
        count = sum(1 for m in lst["members"].values() if m["status"] == "subscribed")
        return {"id": lst["id"], "name": lst["name"], "stats": {"member_count": count}}

    def get_lists(self, **_):
        return 200, {
            "lists": [self._list_json(v) for v in self.lists.values()],
            "total_items": len(self.lists),
        }

    def get_list(self, list_id, **_):
        return 200, self._list_json(self._list(list_id))

    def list_members(self, list_id, query, **_):
        lst = self._list(list_id)
        members = list(lst["members"].values())
        if query.get("status"):
            members = [m for m in members if m["status"] == query["status"]]
        if query.get("since_last_changed"):
            since = datetime.fromisoformat(query["since_last_changed"])
            members = [m for m in members if datetime.fromisoformat(m["last_changed"]) >= since]
        count = min(int(query.get("count", 10)), 1000)
        offset = int(query.get("offset", 0))
        page = members[offset : offset + count]
        return 200, {"members": [self._member_json(m) for m in page], "total_items": len(members)}

    def _member_json(self, m):
        return {k: v for k, v in m.items() if k != "tags"} | {
            "tags": [{"name": t} for t in sorted(m["tags"])]
        }

    def get_member(self, list_id, h, **_):
        m = self._list(list_id)["members"].get(h)
        if not m:
            raise NOT_FOUND
        return 200, self._member_json(m)

    def _check_merge(self, lst, body, query):
        if query.get("skip_merge_validation") in ("true", "True", "1"):
            return
        missing = [f for f in lst["required"] if not (body.get("merge_fields") or {}).get(f)]
        if missing:
            raise Problem(
                400,
                "Invalid Resource",
                f"Your merge fields were invalid: {', '.join(missing)} required",
            )

    def _new_member(self, list_id, email, status, body):
        return {
            "id": member_id(email),
            "email_address": email,
            "unique_email_id": uuid.uuid4().hex[:10],
            "status": status,
            "merge_fields": dict(body.get("merge_fields") or {}),
            "language": body.get("language", ""),
            "list_id": list_id,
            "last_changed": now_iso(),
            "tags": set(),
        }

    def add_member(self, list_id, body, query, **_):
        lst = self._list(list_id)
        email = str(body.get("email_address", ""))
        if "@" not in email:
            raise Problem(400, "Invalid Resource", "Please provide a valid email address.")
        h = member_id(email)
        if h in lst["members"] and lst["members"][h]["status"] != "archived":
            raise Problem(400, "Member Exists", f"{email} is already a list member.")
        if h in self.forgotten[list_id]:
            raise Problem(
                400, "Forgotten Email Not Subscribed", f"{email} was permanently deleted."
            )
        self._check_merge(lst, body, query)
        m = self._new_member(list_id, email, body.get("status", "subscribed"), body)
        m["tags"] = {t if isinstance(t, str) else t.get("name") for t in body.get("tags", [])}
        lst["members"][h] = m
        return 200, self._member_json(m)

    def put_member(self, list_id, h, body, query, **_):
        lst = self._list(list_id)
        email = str(body.get("email_address", ""))
        existing = lst["members"].get(h)
        if h in self.forgotten[list_id]:
            raise Problem(
                400,
                "Forgotten Email Not Subscribed",
                f"{email} was permanently deleted and cannot be re-imported.",
            )
        if existing is None:
            if "@" not in email or member_id(email) != h:
                raise Problem(
                    400, "Invalid Resource", "The email address does not match the member id."
                )
            status = body.get("status") or body.get("status_if_new")
            if status not in ("subscribed", "pending", "unsubscribed", "cleaned", "transactional"):
                raise Problem(
                    400, "Invalid Resource", "The resource submitted could not be validated."
                )
            self._check_merge(lst, body, query)
            m = self._new_member(list_id, email, status, body)
            lst["members"][h] = m
            return 200, self._member_json(m)
        status = body.get("status")
        if status == "subscribed" and existing["status"] in ("unsubscribed", "cleaned"):
            raise Problem(
                400,
                "Member In Compliance State",
                f"{existing['email_address']} is already a list member in compliance state "
                "due to unsubscribe, bounce, or compliance review.",
            )
        self._check_merge(
            lst,
            {"merge_fields": existing["merge_fields"] | dict(body.get("merge_fields") or {})},
            query,
        )
        if status:
            existing["status"] = status
        elif existing["status"] == "archived" and body.get("status_if_new"):
            existing["status"] = body["status_if_new"]
        existing["merge_fields"].update(body.get("merge_fields") or {})
        if body.get("language"):
            existing["language"] = body["language"]
        existing["last_changed"] = now_iso()
        return 200, self._member_json(existing)

    def patch_member(self, list_id, h, body, query, **_):
        m = self._list(list_id)["members"].get(h)
        if not m:
            raise NOT_FOUND
        if body.get("status") == "subscribed" and m["status"] in ("unsubscribed", "cleaned"):
            raise Problem(
                400, "Member In Compliance State", f"{m['email_address']} is in compliance state."
            )
        if body.get("status"):
            m["status"] = body["status"]
        m["merge_fields"].update(body.get("merge_fields") or {})
        m["last_changed"] = now_iso()
        return 200, self._member_json(m)

    def archive_member(self, list_id, h, **_):
        m = self._list(list_id)["members"].get(h)
        if not m or m["status"] == "archived":
            raise NOT_FOUND
        m["status"] = "archived"
        m["last_changed"] = now_iso()
        return 204, None

    def delete_permanent(self, list_id, h, **_):
        lst = self._list(list_id)
        if h not in lst["members"]:
            raise NOT_FOUND
        del lst["members"][h]
        self.forgotten[list_id].add(h)
        return 204, None

    def post_tags(self, list_id, h, body, **_):
        m = self._list(list_id)["members"].get(h)
        if not m:
            raise NOT_FOUND
        tags = body.get("tags")
        if not isinstance(tags, list):
            return 204, None  # Mailchimp: a body of the wrong shape answers 204 and does nothing
        for tag in tags:
            if not isinstance(tag, dict) or "name" not in tag:
                continue
            if tag.get("status") == "active":
                m["tags"].add(tag["name"])
                self.lists[list_id]["tags"].setdefault(tag["name"], next(self.ids))
            elif tag.get("status") == "inactive":
                m["tags"].discard(tag["name"])
        return 204, None

    def get_tags(self, list_id, h, **_):
        m = self._list(list_id)["members"].get(h)
        if not m:
            raise NOT_FOUND
        return 200, {
            "tags": [{"name": t} for t in sorted(m["tags"])],
            "total_items": len(m["tags"]),
        }

    def list_segments(self, list_id, query, **_):
        lst = self._list(list_id)
        segments = [
            {
                "id": tag_id,
                "name": name,
                "type": "static",
                "member_count": sum(1 for m in lst["members"].values() if name in m["tags"]),
            }
            for name, tag_id in lst["tags"].items()
        ]
        if query.get("type"):
            segments = [s for s in segments if s["type"] == query["type"]]
        return 200, {"segments": segments, "total_items": len(segments)}

    # --- webhooks -------------------------------------------------------------------------------

    def create_webhook(self, list_id, body, **_):
        lst = self._list(list_id)
        url = body.get("url", "")
        try:
            answer = requests.get(
                url, headers={"User-Agent": "MailChimp.com WebHook Validator"}, timeout=5
            )
            valid = answer.status_code == 200
        except requests.RequestException:
            valid = False
        if not valid:
            raise Problem(
                400,
                "Invalid Resource",
                "The resource submitted could not be validated. For field-specific details, "
                "see the 'errors' array.",
            )
        webhook = {
            "id": uuid.uuid4().hex[:10],
            "url": url,
            "events": body.get("events", {}),
            "sources": body.get("sources", {}),
            "list_id": list_id,
        }
        lst["webhooks"][webhook["id"]] = webhook
        return 200, webhook

    def list_webhooks(self, list_id, **_):
        return 200, {"webhooks": list(self._list(list_id)["webhooks"].values())}

    def post_webhook(self, url, data):
        """Send a webhook event to the product, form-encoded, as Mailchimp does."""
        return requests.post(url, data=data, headers={"User-Agent": "MailChimp"}, timeout=10)

    # --- batches --------------------------------------------------------------------------------

    def start_batch(self, body, **_):
        operations = body.get("operations")
        if not isinstance(operations, list):
            raise Problem(400, "Invalid Resource", "Schema describes array, object found instead")
        batch_id = uuid.uuid4().hex[:10]
        results = []
        errored = 0
        for op in operations:
            path = urlsplit(op.get("path", ""))
            params = {k: str(v) for k, v in (op.get("params") or {}).items()}
            try:
                op_body = json.loads(op["body"]) if op.get("body") else {}
                status, data = self.route(
                    op.get("method", "GET").upper(), path.path, params, op_body
                )
                response = json.dumps(data) if data is not None else ""
            except Problem as p:
                status, response = p.status, json.dumps(p.body())
                errored += 1
            results.append(
                {
                    "status_code": status,
                    "operation_id": op.get("operation_id"),
                    "response": response,
                }
            )
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for index in range(0, len(results), 1000):
                payload = json.dumps(results[index : index + 1000]).encode()
                info = tarfile.TarInfo(name=f"{batch_id}/{index // 1000}.json")
                info.size = len(payload)
                archive.addfile(info, io.BytesIO(payload))
        self.batch_archives[batch_id] = buffer.getvalue()
        self.batches[batch_id] = {
            "id": batch_id,
            "status": "pending",
            "total_operations": len(operations),
            "finished_operations": len(operations),
            "errored_operations": errored,
            "submitted_at": now_iso(),
            "polls": 0,
        }
        return 200, self._batch_json(batch_id)

    def _batch_json(self, batch_id):
        b = self.batches[batch_id]
        finished = b["polls"] > self.batch_polls_before_finished
        data = {k: v for k, v in b.items() if k != "polls"}
        data["status"] = "finished" if finished else "started"
        data["response_body_url"] = (
            f"{self.url}/batch-results/{batch_id}.tar.gz" if finished else ""
        )
        if not finished:
            data["finished_operations"] = 0
        return data

    def batch_status(self, batch_id, **_):
        if batch_id not in self.batches:
            raise NOT_FOUND
        self.batches[batch_id]["polls"] += 1
        return 200, self._batch_json(batch_id)

    # --- campaigns (newsletters) ----------------------------------------------------------------

    def _campaign(self, cid):
        if cid not in self.campaigns:
            raise NOT_FOUND
        return self.campaigns[cid]

    def create_campaign(self, body, **_):
        recipients = body.get("recipients") or {}
        if recipients.get("list_id") and recipients["list_id"] not in self.lists:
            raise Problem(400, "Invalid Resource", "The list does not exist.")
        cid = uuid.uuid4().hex[:10]
        self.campaigns[cid] = {
            "id": cid,
            "web_id": next(self.ids),
            "type": body.get("type", "regular"),
            "status": "save",
            "recipients": recipients,
            "settings": body.get("settings") or {},
            "html": "",
            "send_time": "",
            "emails_sent": 0,
        }
        return 200, self._campaign_json(cid)

    def _campaign_json(self, cid):
        return {k: v for k, v in self.campaigns[cid].items() if k not in ("html",)}

    def get_campaign(self, cid, **_):
        self._campaign(cid)
        return 200, self._campaign_json(cid)

    def update_campaign(self, cid, body, **_):
        c = self._campaign(cid)
        if c["status"] not in ("save", "paused"):
            raise Problem(
                400, "Bad Request", "This campaign cannot be updated: it was sent or scheduled."
            )
        if "recipients" in body:
            c["recipients"] = body["recipients"]
        c["settings"].update(body.get("settings") or {})
        return 200, self._campaign_json(cid)

    def set_content(self, cid, body, **_):
        c = self._campaign(cid)
        c["html"] = body.get("html", "")
        return 200, {"html": c["html"]}

    def _check_ready(self, c):
        if (
            not c["recipients"].get("list_id")
            or not c["html"]
            or not c["settings"].get("subject_line")
        ):
            raise Problem(400, "Bad Request", "Your Campaign is not ready to send.")

    def _recipients(self, c):
        lst = self.lists[c["recipients"]["list_id"]]
        members = [m for m in lst["members"].values() if m["status"] == "subscribed"]
        segment_id = (c["recipients"].get("segment_opts") or {}).get("saved_segment_id")
        if segment_id:
            names = [n for n, i in lst["tags"].items() if i == int(segment_id)]
            members = [m for m in members if names and names[0] in m["tags"]]
        return members

    def send_test(self, cid, body, **_):
        c = self._campaign(cid)
        self._check_ready(c)
        emails = body.get("test_emails") or []
        if not emails:
            raise Problem(400, "Invalid Resource", "test_emails is required.")
        self.sent_tests.append({"campaign": cid, "emails": emails, "html": c["html"]})
        return 204, None

    def send_campaign(self, cid, **_):
        c = self._campaign(cid)
        self._check_ready(c)
        if c["status"] not in ("save", "paused"):
            raise Problem(400, "Bad Request", "This campaign has already been sent.")
        c["status"] = "sent"
        c["send_time"] = now_iso()
        c["sent_to"] = [m["email_address"] for m in self._recipients(c)]
        c["emails_sent"] = len(c["sent_to"])
        return 204, None

    def schedule_campaign(self, cid, body, **_):
        c = self._campaign(cid)
        self._check_ready(c)
        when = body.get("schedule_time", "")
        try:
            moment = datetime.fromisoformat(when)
        except ValueError as exc:
            raise Problem(400, "Invalid Resource", "schedule_time is not a date.") from exc
        if moment.minute % 15 or moment.second:
            raise Problem(400, "Invalid Resource", "Schedule time must be on the quarter-hour.")
        c["status"], c["send_time"] = "schedule", when
        return 204, None

    def unschedule_campaign(self, cid, **_):
        c = self._campaign(cid)
        if c["status"] != "schedule":
            raise Problem(400, "Bad Request", "This campaign is not scheduled.")
        c["status"], c["send_time"] = "save", ""
        return 204, None

    def get_report(self, cid, **_):
        c = self._campaign(cid)
        return 200, {
            "id": cid,
            "emails_sent": c["emails_sent"],
            "send_time": c["send_time"],
            "bounces": {"hard_bounces": 0, "soft_bounces": 0, "syntax_errors": 0},
            "opens": {"unique_opens": 0},
            "clicks": {"unique_clicks": 0},
        }


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # A listen backlog large enough that simultaneous connections really arrive together
    # (the default of 5 makes TCP retry the others a second later).
    request_queue_size = 128


class RequestHandler(BaseHTTPRequestHandler):
    fake: FakeMailchimp
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _handle(self):
        fake = self.fake
        with fake.lock:
            fake.active += 1
            fake.max_active = max(fake.max_active, fake.active)
            over_limit = fake.active > fake.max_connections
        self._counted = True
        try:
            self._serve(over_limit)
        finally:
            self._release()

    def _release(self):
        # A request stops counting as a connection just before its answer leaves: once the client
        # has the answer it may open its next connection, which must not overlap this one here.
        if getattr(self, "_counted", False):
            self._counted = False
            with self.fake.lock:
                self.fake.active -= 1

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def _serve(self, over_limit):
        fake = self.fake
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        entry = {
            "method": self.command,
            "path": split.path,
            "query": split.query,
            "status": None,
            "at": time.monotonic(),
        }
        try:
            entry["body"] = json.loads(raw) if raw else None
        except ValueError:
            entry["body"] = raw.decode(errors="replace")
        with fake.lock:
            fake.log.append(entry)
        if fake.latency:
            time.sleep(fake.latency)
        if split.path == "/_fake/stats":  # for the benchmark, which runs the fake in a subprocess
            with fake.lock:
                calls = [
                    r
                    for r in fake.log
                    if r["path"].startswith("/3.0/") or r["path"].startswith("/batch-")
                ]
                stats = {
                    "calls": len(calls),
                    "by_kind": {},
                    "max_active": fake.max_active,
                    "rejected_for_limit": fake.rejected_for_limit,
                    "members": {k: len(v["members"]) for k, v in fake.lists.items()},
                }
                for r in calls:
                    kind = f"{r['method']} {re.sub(r'/[0-9a-f]{10,32}', '/{id}', r['path'])}"
                    stats["by_kind"][kind] = stats["by_kind"].get(kind, 0) + 1
                if "reset" in split.query:
                    fake.log.clear()
                    fake.max_active = 0
            fake.log.remove(entry) if entry in fake.log else None
            return self._send(200, json.dumps(stats).encode(), "application/json")
        if split.path.startswith("/batch-results/"):
            batch_id = split.path.rsplit("/", 1)[-1].removesuffix(".tar.gz")
            content = fake.batch_archives.get(batch_id)
            entry["status"] = 200 if content else 404
            return self._send(entry["status"], content or b"", "application/x-gzip")
        if not split.path.startswith("/3.0"):
            entry["status"] = 404
            return self._send(404, b"not found", "text/plain")
        if over_limit:
            with fake.lock:
                fake.rejected_for_limit += 1
            return self._problem(
                entry,
                Problem(
                    429,
                    "Too Many Requests",
                    "You have exceeded the limit of 10 simultaneous connections.",
                ),
            )
        if fake.outage:
            return self._fault(entry, fake.outage)
        if not self._authorised():
            return self._problem(
                entry,
                Problem(
                    401,
                    "API Key Invalid",
                    "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
                ),
            )
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        try:
            status, data = fake.route(
                self.command,
                split.path[len("/3.0") :].rstrip("/") or "/",
                query,
                entry["body"] if isinstance(entry["body"], dict) else {},
            )
        except Problem as p:
            return self._problem(entry, p)
        entry["status"] = status
        if data is None:
            return self._send(status, b"", None)
        return self._send(status, json.dumps(data).encode(), "application/json; charset=utf-8")

    def _authorised(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            _, key = base64.b64decode(header[6:]).decode().split(":", 1)
        except (ValueError, UnicodeDecodeError):
            return False
        return key == self.fake.api_key

    def _fault(self, entry, mode):
        entry["status"] = mode
        if mode == "reset":
            self.close_connection = True
            try:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return None
        if mode == "empty":
            return self._send(503, b"", None)
        if mode == "html":
            return self._send(502, b"<html><body>502 Bad Gateway</body></html>", "text/html")
        return self._problem(
            entry, Problem(503, "Service Unavailable", "Mailchimp is down for maintenance.")
        )

    def _problem(self, entry, problem):
        entry["status"] = problem.status
        return self._send(
            problem.status,
            json.dumps(problem.body()).encode(),
            "application/problem+json; charset=utf-8",
        )

    def _send(self, status, payload, content_type):
        self._release()
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if payload and self.command != "HEAD":
            self.wfile.write(payload)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Run the fake Mailchimp API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8204)
    parser.add_argument("--api-key", default="fakekey-us21")
    parser.add_argument("--list", action="append", default=[], help="Audience ids to create.")
    parser.add_argument("--latency", type=float, default=0.0, help="Seconds added to every call.")
    args = parser.parse_args(argv)
    fake = FakeMailchimp(api_key=args.api_key, latency=args.latency)
    for list_id in args.list or ["aud1"]:
        fake.add_list(list_id, name=f"Audience {list_id}")
    fake.serve(args.port)
    print(
        f"Fake Mailchimp on {fake.api_host} (API key {args.api_key!r}, audiences {list(fake.lists)})"
    )
    print(
        f"Set MAILCHIMP_API_HOST={fake.api_host} MAILCHIMP_API_KEY={args.api_key} MAILCHIMP_SERVER_PREFIX=us21"
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
