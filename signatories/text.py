"""Clean-up of what signers type, before it is stored."""

import re

# Bidirectional marks, embeddings, overrides and isolates, and zero-width characters: they make a
# stored name display as something else (U+202E shows "evil" as "live") or hide unseen in it.
INVISIBLE = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# The zero-width non-joiner and joiner (U+200C, U+200D) are part of how some scripts spell words
# (Persian, Hindi) and of emoji sequences (a family, a profession with a skin tone): they stay
# between two characters beyond the Latin alphabets, and go anywhere else (next to a letter of a
# Latin name, a space, another joiner or an end), where they only hide.
_JOINED = r"[^\x00-\u024f\s\u200c\u200d]"
STRAY_JOINER = re.compile(rf"(?<!{_JOINED})[\u200c\u200d]|[\u200c\u200d](?!{_JOINED})")


def strip_invisible(value):
    """`value` without bidirectional controls and zero-width characters."""
    return STRAY_JOINER.sub("", INVISIBLE.sub("", value))
