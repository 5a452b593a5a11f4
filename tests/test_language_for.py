"""Which language a file name is linted as: its suffix, read by os.path.splitext's rule (dots
that start a name start no suffix) without calling splitext, which walks pay for per entry."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from mutlint.source import (
    LANGUAGE_BY_SUFFIX,
    TSX,
    TYPESCRIPT,
    are_source_names,
    is_source_name,
    language_for,
)


def by_splitext(path: str | Path) -> str | None:
    return LANGUAGE_BY_SUFFIX.get(os.path.splitext(path)[1].lower())


def test_names_a_walk_meets() -> None:
    assert language_for("page.tsx") == TSX
    assert language_for("convex/m.TS") == TYPESCRIPT
    assert language_for(Path("a/b.d.mts")) == TYPESCRIPT
    for name in (".ts", "..tsx", "a/.ts", "a.ts/b", "a.txt", "ts", "", "a.", "dir.tsx/"):
        assert language_for(name) is None, name


@given(st.text(alphabet="./\\aTtSsXxMmCc", max_size=12))
def test_the_suffix_is_the_one_splitext_finds(name: str) -> None:
    assert language_for(name) == by_splitext(name)
    assert language_for(Path(name)) == by_splitext(Path(name))


@given(st.text(alphabet=".aTtSsXxMmCcJj", max_size=12))
@example("..ts")
@example(".ts")
@example("a..tsx")
@example("a.ts.")
@example("A.JSX")
def test_a_bare_name_is_a_source_as_language_for_says(name: str) -> None:
    """is_source_name, the walk's and the listing memo's test of a directory entry's name."""
    assert is_source_name(name) == (language_for(name) is not None)


@given(st.lists(st.text(alphabet="./\\\0aTtSsXxMmCcJjſK\u0130é", max_size=8), max_size=5))
@example([])
@example(["a.ts", ".ts"])
@example(["a.ts\0b.ts"])
@example(["..tsx", "b.TSX"])
@example(["a.ts", "dir/b.ts"])
def test_names_tested_together_as_each_alone(names: list[str]) -> None:
    """are_source_names, the listing memo's test of every name it holds: each a source's name,
    with no path separator or NUL in it."""
    expected = all(is_source_name(name) and not {"/", os.sep, "\0"} & set(name) for name in names)
    assert are_source_names(names) == expected
