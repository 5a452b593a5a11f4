"""Byte facts: what a file's bytes alone say (whether they hold a token), for the files a `-j`
child read and did not parse. The child works them out while it has the bytes and hands them
back with its plain facts, so the checks left to the parent that ask them need not read those
files again: the schema's table-volume estimate asks every client file whether it may call a
mutation, and the parent read again the 4,428 files a child had read, at 10,000 files, while
both processes' work was done and only its own went on. A part of Project, as StoredFacts is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mutlint.project import Project

# name -> (the files it is asked of, what the bytes say), registered by the modules that ask
# (the fact registry imports them: convex/fact_catalogue.py).
ByteFact = tuple[Callable[["Project", str], bool], Callable[[bytes], bool]]
BYTE_FACTS: dict[str, ByteFact] = {}


def register_byte_fact(name: str, asked_of: Callable[[Project, str], bool],
                       says: Callable[[bytes], bool]) -> None:
    BYTE_FACTS[name] = (asked_of, says)


class ByteFacts:
    """Project's byte facts. Uses its bytes (_raw, raw), its reads (_read) and _byte_facts."""

    def byte_fact(self: Project, name: str, relpath: str) -> bool | None:
        """What the file's bytes say, or None when it cannot be read. A file read by this
        process or noted by another is not read again; the computation open here depends on
        the file all the same."""
        noted = self._byte_facts.get(name)
        if noted is not None and relpath in noted:
            self._read(relpath)
            return noted[relpath]
        data = self.raw(relpath)
        return None if data is None else BYTE_FACTS[name][1](data)

    def note_bytes(self: Project, relpath: str) -> None:
        """Work out the byte facts asked of a file read and not parsed, while its bytes are
        here (-j: handed back with the plain facts)."""
        data = self._raw.get(relpath)
        if data is None:
            return
        for name, (asked_of, says) in BYTE_FACTS.items():
            if asked_of(self, relpath):
                self._byte_facts.setdefault(name, {})[relpath] = says(data)

    def adopt_byte_facts(self: Project, noted: dict[str, dict[str, bool]]) -> None:
        """Another process's notes on the same files; the first process's stays."""
        for name, by_file in noted.items():
            mine = self._byte_facts.setdefault(name, {})
            for relpath, said in by_file.items():
                mine.setdefault(relpath, said)
