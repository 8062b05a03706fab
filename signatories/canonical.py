"""Canonical email addresses: the identity that "one signature per person per campaign" rests on.

Lower case everywhere; for Gmail the dots and "+tag" of the local part are ignored (Gmail delivers
them all to the same mailbox) and googlemail.com is gmail.com. Providers that deliver "+tag"
addresses to the main mailbox lose the tag too. Other addresses are kept as typed (lower-cased):
for most domains dots are significant.
"""

import contextlib

GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
# Providers documented to deliver local+tag@domain to local@domain.
PLUS_TAG_DOMAINS = frozenset(
    {
        "outlook.com",
        "outlook.fr",
        "hotmail.com",
        "hotmail.fr",
        "live.com",
        "live.fr",
        "protonmail.com",
        "proton.me",
        "pm.me",
        "fastmail.com",
        "icloud.com",
        "me.com",
    }
)


def split_email(email):
    """('Local', 'domain') with the domain lower-cased and IDNA-encoded; ('', '') if malformed."""
    email = (email or "").strip()
    local, sep, domain = email.rpartition("@")
    if not sep or not local or not domain:
        return "", ""
    domain = domain.lower().rstrip(".")
    with contextlib.suppress(UnicodeError):  # keep an unencodable domain as typed
        domain = domain.encode("idna").decode("ascii")
    return local, domain


def email_domain(email):
    return split_email(email)[1]


def canonical_email(email):
    local, domain = split_email(email)
    if not domain:
        return (email or "").strip().lower()
    local = local.lower()
    if domain in GMAIL_DOMAINS:
        domain = "gmail.com"
        local = local.split("+", 1)[0].replace(".", "")
    elif domain in PLUS_TAG_DOMAINS:
        local = local.split("+", 1)[0]
    return f"{local}@{domain}"
