"""Audit witness lines: the chain heads a workstation saw, kept outside the database.

A line is ``<entry number> <hash>``; a restore writes ``restored <entry number> <hash>``,
after which only the restored head and later lines count (the entries the restore
replaced are gone on purpose). Lines carry no names, actions or times: never PHI.
"""

from __future__ import annotations

import re

RESTORED = "restored"
_HASH = re.compile(r"[0-9a-f]{64}")


class WitnessUnreadable(ValueError):
    """A witness or backup sidecar line that is not in the expected form."""


def head_line(seq: int, digest: str, *, restored: bool = False) -> str:
    return f"{RESTORED + ' ' if restored else ''}{seq} {digest}\n"


def parse_head(text: str) -> tuple[int, str]:
    """``(entry number, hash)`` from ``"<seq> <hash>"``; WitnessUnreadable otherwise."""
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdecimal() or not _HASH.fullmatch(parts[1]):
        raise WitnessUnreadable(text[:80])
    return int(parts[0]), parts[1]


def witnessed_heads(text: str) -> dict[int, str]:
    """Entry number → hash of every head that counts (since the last restore).

    Torn last lines (a power cut while appending) are skipped; other unreadable lines
    raise WitnessUnreadable, since a witness someone edited is itself a finding.
    """
    heads: dict[int, str] = {}
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        restored = line.startswith(RESTORED + " ")
        try:
            seq, digest = parse_head(line[len(RESTORED) + 1 :] if restored else line)
        except WitnessUnreadable:
            if index == len(lines) - 1:
                continue  # the unfinished last line of an interrupted append
            raise
        if restored:
            heads = {}
        if heads.get(seq, digest) != digest:
            raise WitnessUnreadable(f"entry {seq} recorded with two different hashes")
        heads[seq] = digest
    return heads
