"""The official mailchimp-marketing client, configured from settings, plus the error taxonomy.

The client makes one plain `requests` call per method, with no session and no retry. Every call
goes through `call()`, which holds a process-wide semaphore so that this process never opens more
than MAILCHIMP_MAX_CONNECTIONS connections at once (Mailchimp allows 10 per API key), and turns
every way a call can go wrong into a `MailchimpError` with a kind: transient, final or audience.
"""

import json
import threading
from dataclasses import dataclass

import requests
from django.conf import settings
from mailchimp_marketing import Client
from mailchimp_marketing.api_client import ApiClientError

_semaphore = None
_semaphore_size = None
_semaphore_lock = threading.Lock()


def connection_slots():
    """The process-wide semaphore (rebuilt if the setting changed, e.g. in tests)."""
    global _semaphore, _semaphore_size
    size = max(1, settings.MAILCHIMP_MAX_CONNECTIONS)
    with _semaphore_lock:
        if _semaphore is None or _semaphore_size != size:
            _semaphore = threading.BoundedSemaphore(size)
            _semaphore_size = size
        return _semaphore


def is_configured():
    return bool(settings.MAILCHIMP_API_KEY and settings.MAILCHIMP_SERVER_PREFIX)


def get_client():
    client = Client()
    client.set_config(
        {
            "api_key": settings.MAILCHIMP_API_KEY,
            "server": settings.MAILCHIMP_SERVER_PREFIX,
            "timeout": settings.MAILCHIMP_TIMEOUT,
        }
    )
    if settings.MAILCHIMP_API_HOST:
        # Configuration.host is ignored by the client; api_client.host is what it uses.
        client.api_client.host = settings.MAILCHIMP_API_HOST.rstrip("/")
    return client


class Kind:
    TRANSIENT = "transient"  # retry later with backoff
    FINAL = "final"  # Mailchimp refuses this member for good: show to staff
    AUDIENCE = "audience"  # the audience or the key is wrong: pause the queue
    NOT_FOUND = "not_found"  # the member is not there (fine for archive/erase)


FINAL_TITLES = {
    "member in compliance state",
    "forgotten email not subscribed",
    "invalid resource",
    "member exists",
    "bad request",
    "json schema validation error",
}


@dataclass
class MailchimpError(Exception):
    kind: str
    status: int | None
    title: str
    detail: str

    def __str__(self):
        status = self.status if self.status is not None else "no status"
        return f"{status} {self.title}: {self.detail}".strip()[:2000]

    @property
    def is_compliance(self):
        return self.title.lower() == "member in compliance state"

    @property
    def is_forgotten(self):
        return self.title.lower() == "forgotten email not subscribed"


def problem(status, body):
    """Read Mailchimp's application/problem+json (the client leaves it as a string)."""
    title, detail = "", ""
    data = body
    if isinstance(body, (str, bytes)):
        try:
            data = json.loads(body)
        except ValueError:
            data = None
    if isinstance(data, dict):
        title = str(data.get("title") or "")
        detail = str(data.get("detail") or "")
        errors = data.get("errors")
        if errors:
            detail = f"{detail} {json.dumps(errors, ensure_ascii=False)[:500]}"
    elif body:
        detail = str(body)[:300]
    return title, detail


def classify(status, title, detail, *, member_call=True):
    """The kind of a failed call, from its status and problem title."""
    lowered = title.lower()
    if status is None or status == 429 or status >= 500:
        return Kind.TRANSIENT
    if status == 403 and "too many" in (lowered + detail.lower()):
        return Kind.TRANSIENT
    if status in (401, 403):
        return Kind.AUDIENCE
    if status == 404:
        return Kind.NOT_FOUND if member_call else Kind.AUDIENCE
    if lowered in FINAL_TITLES or 400 <= status < 500:
        return Kind.FINAL
    return Kind.TRANSIENT


def error_from(exc, *, member_call=True):
    if isinstance(exc, ApiClientError):
        status = exc.status_code
        if status is None:
            return MailchimpError(Kind.TRANSIENT, None, "Connection error", str(exc.text)[:300])
        title, detail = problem(status, exc.text)
        return MailchimpError(
            classify(status, title, detail, member_call=member_call), status, title, detail
        )
    # Anything else (a bug in the client, an odd response): retried, and visible to staff.
    return MailchimpError(Kind.TRANSIENT, None, type(exc).__name__, str(exc)[:300])


def call(method, *args, member_call=True, expect_json=True, **kwargs):
    """Run one client method under the connection limit; return its JSON data or raise MailchimpError.

    The client returns a raw requests.Response for empty or non-JSON bodies, even for a 5xx, and
    for 204s. A 2xx without a body is fine when no JSON is expected (tags, delete); anything else
    is treated as a transient failure.
    """
    with connection_slots():
        try:
            result = method(*args, **kwargs)
        except Exception as exc:  # the client wraps everything in ApiClientError
            raise error_from(exc, member_call=member_call) from exc
    if isinstance(result, requests.Response):
        status = result.status_code
        if 200 <= status < 300 and (not expect_json or status == 204):
            return None
        kind = (
            classify(status, "", "", member_call=member_call) if status >= 300 else Kind.TRANSIENT
        )
        if kind == Kind.FINAL:
            kind = Kind.TRANSIENT  # an error without a body says nothing final
        raise MailchimpError(kind, status, "Empty or non-JSON response", result.text[:200])
    if expect_json and not isinstance(result, dict):
        raise MailchimpError(Kind.TRANSIENT, 200, "Non-JSON response", str(result)[:200])
    return result


def download(url):
    """Fetch a batch result archive (a pre-signed URL, no API key) under the connection limit."""
    with connection_slots():
        try:
            response = requests.get(url, timeout=settings.MAILCHIMP_TIMEOUT)
        except requests.RequestException as exc:
            raise MailchimpError(Kind.TRANSIENT, None, type(exc).__name__, str(exc)[:300]) from exc
    if response.status_code != 200:
        raise MailchimpError(
            Kind.TRANSIENT, response.status_code, "Batch results download failed", ""
        )
    return response.content
