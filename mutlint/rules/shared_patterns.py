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
atom's bindings are renamed back to its own. Nor do the texts of literal leaves:
`$CTX.db.$WRITE($$$)` and `$CTX.scheduler.$SCHEDULE($$$)` are one pattern whose `db` leaf
admits either text (`#any-of?`), and each atom's own text is tested on its matches.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from mutlint.regex_guard import WORD_CHARACTERS
from mutlint.rules.model import Atom, AtomQuery
from mutlint.rules.pattern import literal_predicate, query_string
from mutlint.rules.pushdown import query_predicate

Member = tuple[Atom, AtomQuery]  # the atom, and its query under canonical names
_CAPTURE_CHARACTERS = WORD_CHARACTERS | frozenset(".?!-")
_CAPTURE_STRING = "".join(sorted(_CAPTURE_CHARACTERS))


def rename_captures(text: str, rename: Callable[[str], str]) -> str:
    """`text` (a query) with each capture `@name` as `@` + rename(name), and its strings (a
    regex may hold `@`) left as they are: what the regex
    `"(?:[^"\\\\]|\\\\.)*"|@([A-Za-z0-9_.?!-]+)` found, by string code (its compile cost every
    run more than its use). A `"` that starts no whole string is a character like another,
    as it was for the regex, which went on from the character after it."""
    pieces, done, at = [], 0, 0
    while True:
        quote, mark = text.find('"', at), text.find("@", at)
        if mark < 0 and quote < 0:
            break
        if quote >= 0 and (mark < 0 or quote < mark):
            at = _string_end(text, quote + 1) or quote + 1
            continue
        # The name's end: what lstrip leaves of a window after the `@` (a loop over its
        # characters was most of this function's time), and past the window for a long one.
        end = mark + 1
        window = text[end:end + 64]
        rest = window.lstrip(_CAPTURE_STRING)
        end += len(window) - len(rest)
        if not rest:
            while end < len(text) and text[end] in _CAPTURE_CHARACTERS:
                end += 1
        if end > mark + 1:
            pieces += (text[done:mark], "@", rename(text[mark + 1:end]))
            done = end
        at = end
    pieces.append(text[done:])
    return "".join(pieces)


def _string_end(text: str, at: int) -> int:
    """Where the string whose contents start at `at` ends (after its closing quote), or 0:
    an escape is a backslash and any character but a newline."""
    while True:
        quote = text.find('"', at)
        if quote < 0:
            return 0
        escape = text.find("\\", at, quote)
        if escape < 0:
            return quote + 1
        if text[escape + 1] == "\n":  # there is one: the quote comes after it
            return 0
        at = escape + 2


def alias_parts(name: str) -> tuple[str, str] | None:
    """A repeated metavariable's second capture (pattern.py), `NAME__2`, as (NAME, `__2`):
    what the regex `^(.+)(__\\d+)$` read, by string code (its compile cost every run more
    than its use)."""
    text = name[:-1] if name[-1:] == "\n" else name  # `$` before a final newline
    at = text.rfind("__")
    head, digits = text[:at], text[at + 2:]
    if at <= 0 or not digits.isdecimal() or "\n" in head:
        return None
    return head, text[at:]


def canonical(compiled: AtomQuery) -> tuple[AtomQuery, dict[str, str]]:
    """`compiled` with its metavariables renamed by order of appearance (`_v0`, `_v1`, ...; the
    pattern compiler's own captures are `_match`, `_l1`, `_seq2`, ...), and the way back:
    canonical name -> the atom's own."""
    names = [*compiled.metavariables, *compiled.multi_metavariables]
    renamed = {name: f"_v{index}" for index, name in enumerate(names)}

    def rename(name: str) -> str:
        if name in renamed:
            return renamed[name]
        alias = alias_parts(name)
        return renamed[alias[0]] + alias[1] if alias and alias[0] in renamed else name

    def in_source(text: str) -> str:
        return rename_captures(text, rename)

    shared = AtomQuery(
        in_source(compiled.source), rename(compiled.root_capture),
        [renamed[name] for name in compiled.metavariables],
        [renamed[name] for name in compiled.multi_metavariables],
        [check._replace(bind=check.bind and rename(check.bind)) for check in compiled.sequences],
        list(compiled.literals), frozenset(rename(name) for name in compiled.checked_in_query),
        tuple((predicate, rename(name), regex) for predicate, name, regex in compiled.pushed),
        in_source(compiled.base_source) if compiled.base_source is not None else None,
        compiled.literal_checks)
    return shared, {new: old for old, new in renamed.items()}


def sharing_key(atom: Atom, compiled: AtomQuery) -> Hashable:
    """Atoms with equal keys match the same nodes with the same bindings, before pushdown,
    but for the texts of their literal leaves."""
    if atom.kind != "pattern":
        return ("alone", atom.id)  # a raw query may carry predicates only its atom checks
    base = compiled.base_source or compiled.source
    for capture, text in compiled.literal_checks:
        base = base.replace(literal_predicate(capture, text), f"(#eq? @{capture} ?)")
    return (base, compiled.root_capture,
            tuple(compiled.metavariables), tuple(compiled.multi_metavariables),
            tuple(compiled.sequences), tuple(capture for capture, _ in compiled.literal_checks))


SharedSource = tuple[str, dict[int, frozenset[str]], dict[int, tuple[tuple[str, bytes], ...]]]


def shared_source(members: list[Member]) -> SharedSource:
    """The one pattern for atoms of one sharing key; per atom, the metavariables whose
    constraints that pattern applies in full, and the literal leaves (capture, text) its matches
    must still be tested for, where the atoms' texts differ."""
    first = members[0][1]
    if len({compiled.source for _, compiled in members}) == 1:  # literal texts alike too
        return first.source, {atom.id: compiled.checked_in_query for atom, compiled in members}, {}
    differing = [index for index, _ in enumerate(first.literal_checks)
                 if len({compiled.literal_checks[index][1] for _, compiled in members}) > 1]
    literals = {atom.id: tuple((compiled.literal_checks[index][0],
                                compiled.literal_checks[index][1].encode("utf-8"))
                               for index in differing)
                for atom, compiled in members} if differing else {}
    common = set(first.pushed).intersection(*(compiled.pushed for _, compiled in members[1:]))
    kept = [pushed for pushed in first.pushed if pushed in common]  # in a fixed order
    for name in dict.fromkeys(name for predicate, name, _ in first.pushed if predicate == "match?"):
        # One `match?` per metavariable and atom: its constraint's regex.
        regexes = [next((regex for predicate, of, regex in compiled.pushed
                         if predicate == "match?" and of == name), None) for _, compiled in members]
        if None not in regexes and len(set(regexes)) > 1:
            kept.append(("match?", name, "|".join(f"(?:{regex})" for regex in dict.fromkeys(regexes))))
    base = first.base_source or first.source
    for index in differing:
        capture, text = first.literal_checks[index]
        texts = dict.fromkeys(compiled.literal_checks[index][1] for _, compiled in members)
        base = base.replace(literal_predicate(capture, text),
                            f"(#any-of? @{capture} {' '.join(map(query_string, texts))})")
    source = f"{base[:-1]} {' '.join(query_predicate(*pushed) for pushed in kept)})" if kept else base
    applied = {atom.id: frozenset(name for name in compiled.checked_in_query
                                  if all(pushed in common for pushed in compiled.pushed
                                         if pushed[1] == name))
               for atom, compiled in members}
    return source, applied, literals
