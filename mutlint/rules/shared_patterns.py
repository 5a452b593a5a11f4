"""Pattern atoms of different rules that differ only in what pushdown added share one pattern.

`$CTX.db.$WRITE($$$ARGS)` is written by two shipped rules, one with WRITE `^(insert|patch|
replace|delete)$`, one with `^(patch|replace|delete)$`. As two patterns of a query, tree-sitter
compiled the same pattern twice (about 4 ms each, in every pre-commit run on a mutation file)
and matched every such call twice. Shared, the pattern keeps the predicates all its atoms
push; a metavariable each of them tests with its own regex is tested with their alternation,
which admits every node any of them admits, and the evaluator tests each atom's own regex on
its matches (`applied` leaves that metavariable out).

Metavariable names do not count: `$CLIENT.$METHOD($$$)` of one rule and `$CTX.$RUN($$$)` of
another are one pattern (about 58 M instructions of compiling each, in every pre-commit run on
a mutation file). Atoms are keyed and shared under canonical names (`canonical`), and each
atom's bindings are renamed back to its own.
"""

from __future__ import annotations

import re
from collections.abc import Hashable

from mutlint.rules.model import Atom, AtomQuery
from mutlint.rules.pushdown import query_predicate

Member = tuple[Atom, AtomQuery]  # the atom, and its query under canonical names
# A query string (skipped: a regex may hold `@`) or a capture.
_STRING_OR_CAPTURE = re.compile(r'"(?:[^"\\]|\\.)*"|@([A-Za-z0-9_.?!-]+)')
_ALIAS = re.compile(r"^(.+)(__\d+)$")  # a repeated metavariable's second capture (pattern.py)


def canonical(compiled: AtomQuery) -> tuple[AtomQuery, dict[str, str]]:
    """`compiled` with its metavariables renamed by order of appearance (`_v0`, `_v1`, ...; the
    pattern compiler's own captures are `_match`, `_l1`, `_seq2`, ...), and the way back:
    canonical name -> the atom's own."""
    names = [*compiled.metavariables, *compiled.multi_metavariables]
    renamed = {name: f"_v{index}" for index, name in enumerate(names)}

    def rename(name: str) -> str:
        if name in renamed:
            return renamed[name]
        alias = _ALIAS.match(name)
        return renamed[alias[1]] + alias[2] if alias and alias[1] in renamed else name

    def in_source(text: str) -> str:
        return _STRING_OR_CAPTURE.sub(
            lambda m: m[0] if m[1] is None else f"@{rename(m[1])}", text)

    shared = AtomQuery(
        in_source(compiled.source), rename(compiled.root_capture),
        [renamed[name] for name in compiled.metavariables],
        [renamed[name] for name in compiled.multi_metavariables],
        [check._replace(bind=check.bind and rename(check.bind)) for check in compiled.sequences],
        list(compiled.literals), frozenset(rename(name) for name in compiled.checked_in_query),
        tuple((predicate, rename(name), regex) for predicate, name, regex in compiled.pushed),
        in_source(compiled.base_source) if compiled.base_source is not None else None)
    return shared, {new: old for old, new in renamed.items()}


def sharing_key(atom: Atom, compiled: AtomQuery) -> Hashable:
    """Atoms with equal keys match the same nodes with the same bindings, before pushdown."""
    if atom.kind != "pattern":
        return ("alone", atom.id)  # a raw query may carry predicates only its atom checks
    return (compiled.base_source or compiled.source, compiled.root_capture,
            tuple(compiled.metavariables), tuple(compiled.multi_metavariables),
            tuple(compiled.sequences), tuple(compiled.literals))


def shared_source(members: list[Member]) -> tuple[str, dict[int, frozenset[str]]]:
    """The one pattern for atoms of one sharing key, and per atom the metavariables whose
    constraints that pattern applies in full."""
    first = members[0][1]
    if len({compiled.source for _, compiled in members}) == 1:
        return first.source, {atom.id: compiled.checked_in_query for atom, compiled in members}
    common = set(first.pushed).intersection(*(compiled.pushed for _, compiled in members[1:]))
    kept = [pushed for pushed in first.pushed if pushed in common]  # in a fixed order
    for name in dict.fromkeys(name for predicate, name, _ in first.pushed if predicate == "match?"):
        # One `match?` per metavariable and atom: its constraint's regex.
        regexes = [next((regex for predicate, of, regex in compiled.pushed
                         if predicate == "match?" and of == name), None) for _, compiled in members]
        if None not in regexes and len(set(regexes)) > 1:
            kept.append(("match?", name, "|".join(f"(?:{regex})" for regex in dict.fromkeys(regexes))))
    base = first.base_source or first.source
    source = f"{base[:-1]} {' '.join(query_predicate(*pushed) for pushed in kept)})" if kept else base
    applied = {atom.id: frozenset(name for name in compiled.checked_in_query
                                  if all(pushed in common for pushed in compiled.pushed
                                         if pushed[1] == name))
               for atom, compiled in members}
    return source, applied
