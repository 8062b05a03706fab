"""Matching signatures from elected officials against the official register (RNE).

Issue 5 implements it; the verification step of the signing flow calls match_signature().
"""

from dataclasses import dataclass, field


@dataclass
class RegisterMatch:
    exact: object = None  # a register entry that matches name, territory and office
    candidates: list = field(default_factory=list)  # near matches for the moderation queue


def match_signature(signature):
    return RegisterMatch()
