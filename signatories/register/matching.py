"""Matching signatures from elected officials against the official register (RNE).

The signing flow's verification step calls match_signature(signature) after the email is confirmed.
"""

from dataclasses import dataclass, field


@dataclass
class RegisterMatch:
    exact: object = None  # a register entry matching name, territory and office: verify at once
    candidates: list = field(default_factory=list)  # near matches, shown in the moderation queue


def match_signature(signature):
    return RegisterMatch()
