"""Queries that run with every walk of a file: the model's queries that nearly every file of a
language needs, registered once (`bundle_query`), run as one query, and compiled into the rules'
query too (rules/plan.py), whose walk then leaves their matches with the file.

tree-sitter's query cursor costs about as much to walk a tree as to match a few patterns on the
way, and a query costs about 25 million instructions to compile before its patterns' own share.
A pre-commit run on one page compiled the rules' query and the model's as two queries; as one,
it compiles 50 million instructions fewer. Generic and tree-sitter only: no Convex knowledge
lives here.
"""

from __future__ import annotations

from bisect import bisect_right

import tree_sitter

from mutlint.source import SourceFile

Captures = dict[str, list[tree_sitter.Node]]
BUNDLED: dict[str, list[str]] = {}  # language -> the sources run in one walk, in order
_KEY = "bundled"  # where a file keeps its bundle's matches: SourceFile.derived[_KEY]


def bundle_query(source: str, *languages: str) -> str:
    """Run `source` with the other bundled queries of these languages (a module's constant)."""
    for language in languages:
        if source not in BUNDLED.setdefault(language, []):
            BUNDLED[language].append(source)
    return source


def bundled_sources(language: str) -> tuple[str, ...]:
    return tuple(BUNDLED.get(language, ()))


def source_of_patterns(query: tree_sitter.Query, sources: tuple[str, ...], start: int = 0,
                       first_pattern: int = 0) -> list[int]:
    """For each pattern of `query` from `first_pattern` on, the index of the source it is in,
    where the sources were joined by newlines from byte `start` of the query's text."""
    starts, at = [], start
    for source in sources:
        starts.append(at)
        at += len(source.encode()) + 1
    return [bisect_right(starts, query.start_byte_for_pattern(index)) - 1
            for index in range(first_pattern, query.pattern_count)]


def keep_matches(file: SourceFile, found: dict[str, list[Captures]]) -> None:
    """The matches of a walk that ran the bundle (each source's, in the order it alone gives
    them), unless the file has them already."""
    file.derived.setdefault(_KEY, found)


def kept_matches(file: SourceFile) -> dict[str, list[Captures]] | None:
    return file.derived.get(_KEY)
