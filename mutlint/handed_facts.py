"""What a `-j` child hands back, and the parent adopts: the plain facts it computed, with what
each read, and its byte facts. A part of Project, as StoredFacts is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mutlint.dependencies import Deps

if TYPE_CHECKING:
    from mutlint.project import Project

# lasting_facts' kind for the byte facts (byte_facts.py), which no fact's name can be.
_BYTE_FACTS_KIND = "\0bytes"


class HandedFacts:
    """Uses Project's memo (_memo, _lasting_keys, _pending) and its byte facts."""

    def lasting_facts(self: Project) -> dict[str, bytes]:
        """Every plain-data fact this run has, with what it read, pickled by kind (the fact's
        name): what a -j child hands back (adopt)."""
        by_kind: dict[str, dict[tuple, tuple[Any, Deps]]] = {}
        for key in self._lasting_keys:
            if key in self._memo:
                by_kind.setdefault(key[0], {})[key] = self._memo[key]
        import pickle  # -j only: a run in one process pickles nothing

        lasting = {kind: pickle.dumps(facts, pickle.HIGHEST_PROTOCOL)
                   for kind, facts in sorted(by_kind.items())}
        if self._byte_facts:
            lasting[_BYTE_FACTS_KIND] = pickle.dumps(self._byte_facts, pickle.HIGHEST_PROTOCOL)
        return lasting

    def adopt(self: Project, facts: dict[str, bytes]) -> None:
        """Take plain facts another process computed on the same files (lasting_facts); the
        first process's fact wins. A kind is unpickled when a fact of it is first asked: the
        checks left to the parent use a few kinds (the graph's and the flows' parts), and
        unpickling every kind took a second of a 10-second run at 10,000 files."""
        import pickle  # -j only, as in lasting_facts

        for kind, blob in facts.items():
            if kind == _BYTE_FACTS_KIND:
                self.adopt_byte_facts(pickle.loads(blob))
            else:
                self._pending.setdefault(kind, []).append(blob)

    def _adopt_pending(self: Project, key: tuple) -> None:
        import pickle  # -j only, as in lasting_facts

        for blob in self._pending.pop(key[0], ()):
            for adopted, found in pickle.loads(blob).items():
                if adopted not in self._memo:
                    self._memo[adopted] = found
                    self._lasting_keys.add(adopted)
