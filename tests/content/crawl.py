"""A visitor's walk through the site, following its own links (used by the crawl tests)."""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

LINK = re.compile(r'href="([^"#]+)')
SKIP = ("/admin/", "/static/", "/media/", "/documents/", "/api/")


def internal_links(html, base, *, queries=True):
    for href in LINK.findall(html):
        parts = urlsplit(urljoin(base, href.replace("&amp;", "&")))
        local = parts.scheme in ("", "http") and parts.netloc in ("", "testserver")
        if local and not parts.path.startswith(SKIP) and (queries or not parts.query):
            yield parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client, start, limit, *, queries=True):
    """{path: status code} of up to `limit` pages reached from `start` by following links."""
    seen, queue, answered = set(), deque(start), {}
    while queue and len(answered) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        answered[path] = response.status_code
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            queue.extend(internal_links(response.content.decode(), path, queries=queries))
    return answered
