"""Facts that outlive the run: stored facts (kept in the cache while every file they were
computed from is unchanged) and value facts (whose users depend on their value, not on what
computing it read). A part of Project, apart from the memo and the trees it is built on.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from mutlint import json_codec
from mutlint.cache import MISSING, Entry, content_hash
from mutlint.dependencies import Deps

if TYPE_CHECKING:
    from mutlint.project import Project

_MISSING = object()

# Project-wide facts whose users depend on their value, not on the files it was computed from
# (see Project.by_value): name -> (compute, encode, decode), registered by the modules that
# define them (the fact registry imports them: convex/fact_catalogue.py).
VALUE_PREFIX = "\0value:"
ValueFact = tuple[Callable[["Project"], Any], Callable[[Any], Any], Callable[[Any], Any]]
VALUE_FACTS: dict[str, ValueFact] = {}


def register_value_fact(name: str, compute: Callable[[Project], Any],
                        encode: Callable[[Any], Any], decode: Callable[[Any], Any]) -> None:
    VALUE_FACTS[name] = (compute, encode, decode)


class StoredFacts:
    """Project's facts that outlive the run. Uses the memo of the Project it is part of
    (_memo, _pending, _compute, _lasting_keys, _reading, _computing, _values) and its cache."""

    def value_fact_hash(self: Project, relpath: str) -> str | None:
        """The digest a value fact's users depend on (VALUE_PREFIX + name in their
        dependencies), or None when `relpath` names a file."""
        if not relpath.startswith(VALUE_PREFIX):
            return None
        name = relpath[len(VALUE_PREFIX):]
        if name not in VALUE_FACTS:
            return MISSING
        try:
            return self._value_of(name)[1]
        except Exception:  # a fact that fails is reported by the rule that uses it
            return MISSING

    def stored(self: Project, key: tuple[str, ...], compute: Callable[[], Any],
               encode: Callable[[Any], Any], decode: Callable[[Any], Any]) -> Any:
        """memo() whose value also outlives the run, in the cache, for as long as every file
        it was computed from is unchanged. For plain-data facts that most checks need and that
        cost a whole-project build (what a mutation called from a page does), so a check of one
        edited page parses that page and nothing else."""
        found = self._memo.get(key, _MISSING)
        if found is _MISSING and key[0] in self._pending:
            self._adopt_pending(key)
            found = self._memo.get(key, _MISSING)
        if found is _MISSING:
            found = None if self.cache.disabled else self._from_store(key, decode)
            self._lasting_keys.add(key)
            if found is None:
                found = self._compute(key, compute, lasting=True)[0]
                if not self.cache.disabled:
                    files, groups = self.dependencies(found[1])
                    self.cache.put_fact(key, Entry("", files, {"value": encode(found[0])}, groups))
            self._memo[key] = found
        if self._reading:
            self._reading[-1].use(found[1])
        return found[0]

    def by_value(self: Project, name: str) -> Any:
        """A registered value fact (register_value_fact). What uses it depends on its value's
        digest, not on what computing it read ("early cutoff"): the mutations the client code
        calls read every page, and through them every table's volume estimate and every
        functions-dir check that uses one depended on every page, so an edit to one page made
        a warm run rebuild the whole model. Now such a check stays cached while the value it
        used is the same. The value itself is a stored fact, so a run where none of its files
        changed does not compute it."""
        value = self._value_of(name)[0]
        self._read(VALUE_PREFIX + name)
        return value

    def _value_of(self: Project, name: str) -> tuple[Any, str]:
        if name not in self._values:
            compute, encode, decode = VALUE_FACTS[name]
            # What it reads is not its users' reads, and it is plain data: the files it parses
            # are not held by the facts being computed around it.
            outer = self._reading, self._computing
            self._reading, self._computing = [], []
            try:
                value = self.stored((VALUE_PREFIX + name,), partial(compute, self), encode, decode)
            finally:
                self._reading, self._computing = outer
            digest = content_hash(json_codec.dumps(encode(value), sort_keys=True).encode())
            self._values[name] = (value, digest)
        return self._values[name]

    def _from_store(self: Project, key: tuple[str, ...],
                    decode: Callable[[Any], Any]) -> tuple[Any, Deps] | None:
        entry = self.cache.get_fact(key)
        if entry is None or not self.hashes.still_good(entry.deps, entry.groups, self.cache):
            return None
        try:
            value = decode(entry.payload["value"])
        except (KeyError, TypeError, ValueError):
            return None  # an entry of the wrong shape: computed again
        return value, Deps(frozenset(entry.deps), (), tuple(entry.groups))
