"""Refuse, with a 400 page, requests carrying characters that no field of this site accepts.

PostgreSQL refuses NUL in text, so a NUL that reaches a query or a saved field turns into a 500;
and control characters have no business in any URL, header or field here. Checking once, at the
door, answers every URL alike instead of leaving each view to guard itself. The same goes for a
body Django cannot read (too large, too many fields, malformed): a 400, never a 500.
"""

import json
import logging
import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation

logger = logging.getLogger(__name__)

# Path and query string: no control character at all.
URL_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A path that was not UTF-8: Django percent-encodes again each byte that is not part of a UTF-8
# sequence (repercent_broken_unicode: b"\xff" arrives as "%FF"), an ASGI server puts U+FFFD in
# its place. No URL here has a literal "%" in it.
PATH_NOT_UTF8 = re.compile(r"%[89a-fA-F][0-9a-fA-F]|\ufffd")
# Header values: tab only.
HEADER_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# Form fields and JSON strings (keys and values): tab, newline and carriage return only.
FIELD_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same in a url-encoded body, raw or percent-encoded: one pass over the bytes rather than one
# per field (the signing form's cost, see bench/README.md).
ENCODED_FIELD_CONTROL = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|%(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])"
)

BODY_METHODS = {"POST", "PUT", "PATCH"}
UNREADABLE = (
    BadRequest,
    MultiPartParserError,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    UnicodeDecodeError,
)


class HostileInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            problem = find_problem(request)
        except UNREADABLE:
            problem = "unreadable body"
        if problem:
            return refuse(request, problem)
        return self.get_response(request)


def find_problem(request):
    """Where the request carries what we refuse ("path", "query string", ...), or None."""
    if URL_CONTROL.search(request.path_info) or PATH_NOT_UTF8.search(request.path_info):
        return "path"
    query = _query_text(request.META.get("QUERY_STRING", ""))
    if query is None or URL_CONTROL.search(query):
        return "query string"
    if any(HEADER_CONTROL.search(value) for value in _header_values(request)):
        return "header"
    if request.method in BODY_METHODS:
        if request.content_type == "application/x-www-form-urlencoded":
            if ENCODED_FIELD_CONTROL.search(request.body):
                return "form field"
        elif any(FIELD_CONTROL.search(text) for text in _multipart_texts(request)):
            return "form field"
        if any(FIELD_CONTROL.search(text) for text in _json_texts(request)):
            return "JSON body"
    return None


def refuse(request, problem):
    # Logged without the offending value: it may be personal data.
    logger.info("Refused a request: control characters or unreadable data in its %s", problem)
    # In the visitor's language, from the URL: LocaleMiddleware has not run yet.
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        response = render(
            request, "400.html", {"control_characters": problem != "unreadable body"}, status=400
        )
    response["Content-Language"] = language
    return response


def _wsgi_bytes(value):
    """The bytes behind a WSGI string (PEP 3333: the bytes decoded as ISO-8859-1). An ASGI server
    hands over decoded text instead, which is encoded back to UTF-8."""
    try:
        return value.encode("iso-8859-1")
    except UnicodeEncodeError:
        return value.encode()


def _query_text(query_string):
    """The percent-decoded query string, or None if it is not UTF-8."""
    try:
        return unquote_to_bytes(_wsgi_bytes(query_string).replace(b"+", b" ")).decode()
    except UnicodeDecodeError:
        return None


def _header_values(request):
    for key, value in request.META.items():
        if (key.startswith("HTTP_") or key == "CONTENT_TYPE") and isinstance(value, str):
            yield value


def _multipart_texts(request):
    """Keys and values of the text fields of a multipart body (uploads are in request.FILES,
    never read here). Django parses the body of a POST only."""
    if request.content_type != "multipart/form-data" or request.method != "POST":
        return
    for key, values in request.POST.lists():
        yield key
        yield from values


def _json_texts(request):
    """Keys and string values of a JSON body, at any depth; nothing if it is not valid JSON
    (the view answers that)."""
    if request.content_type != "application/json":
        return
    try:
        pending = [json.loads(request.body)]
    except (ValueError, RecursionError):
        return
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
