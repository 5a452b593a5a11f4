"""Readers of rule text written as string code instead of regexes (whose compiles cost every
run more than their use): each gives what the regex it replaced gave, on texts of those
shapes, near misses and anything else."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mutlint.convex.tables import id_validator_table
from mutlint.rules.loader import is_metavariable_name
from mutlint.rules.placeholders import fill_placeholders, placeholders
from mutlint.rules.prefilter import alternation_words
from mutlint.rules.pushdown import checkable_in_query
from mutlint.rules.query_text import capture_name_end
from mutlint.rules.shared_patterns import alias_parts, rename_captures

_WORD = r"[A-Za-z0-9_]+"
_CLASS = r"\[(?:[a-z]-[a-z]|[A-Z]-[A-Z]|[0-9]-[0-9]|[A-Za-z0-9_$])+\]"
SAFE_SHAPES = re.compile(rf"\^(?:{_WORD}|\((?:\?:)?{_WORD}(?:\|{_WORD})*\)|{_CLASS}[+*])\$")
ALTERNATION = re.compile(r"^\^\((?:\?:)?([\w$]+(?:\|[\w$]+)*)\)\$$|^\^([\w$]+)\$$")
METAVARIABLE_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)(?:\.([a-z][a-z0-9-]*))?\}")
CAPTURE = re.compile(r"@((?:[^\W]|[.?!-])+)")
ALIAS = re.compile(r"^(.+)(__\d+)$")
ID_VALIDATOR = re.compile(r"""^v\.(?:(?:optional|union)\(\s*v\.)?id\(\s*["'](\w+)["']\s*\)""")
STRING_OR_CAPTURE = re.compile(r'"(?:[^"\\]|\\.)*"|@([A-Za-z0-9_.?!-]+)')

# The characters these shapes are made of, and a few that are close to them.
PIECES = st.text(alphabet="^$()?:|[]+*-_.\\\nazAZbY09é٣ \t{}@!", max_size=14)


def _texts(*patterns: re.Pattern[str]):
    return st.one_of(PIECES, *(st.from_regex(p, fullmatch=True) for p in patterns))


@settings(max_examples=500)
@given(_texts(SAFE_SHAPES))
def test_checkable_in_query_is_the_safe_shapes_regex(text: str) -> None:
    assert checkable_in_query(text) is (SAFE_SHAPES.fullmatch(text) is not None)


@settings(max_examples=500)
@given(_texts(ALTERNATION, re.compile(r"\^\((?:\?:)?[\w$]+(?:\|[\w$]+)*\)\$\n?")))
def test_alternation_words_are_what_the_alternation_regex_read(text: str) -> None:
    match = ALTERNATION.match(text)
    assert alternation_words(text) == ((match.group(1) or match.group(2)).split("|") if match else None)


@settings(max_examples=500)
@given(_texts(METAVARIABLE_NAME, re.compile(r"[A-Z][A-Z0-9_]*\n")))
def test_is_metavariable_name_is_the_name_regex(text: str) -> None:
    assert is_metavariable_name(text) is (METAVARIABLE_NAME.match(text) is not None)


def test_the_shapes_and_their_near_misses() -> None:
    assert checkable_in_query("^(?:a|b_1)$") and checkable_in_query("^[a-zA-Z0-9_$]+$")
    assert not checkable_in_query("^[z-a-]+$") and not checkable_in_query("^[]*$")
    assert not checkable_in_query("^(a|)$") and not checkable_in_query("^a|b$")
    assert alternation_words("^(?:a|$b|é)$\n") == ["a", "$b", "é"]
    assert alternation_words("^(a|b)$x") is None and alternation_words("^(a|b c)$") is None
    assert is_metavariable_name("ARGS_2\n") and not is_metavariable_name("Args")
    assert not is_metavariable_name("") and not is_metavariable_name("_A")


@settings(max_examples=500)
@given(st.lists(_texts(PLACEHOLDER), max_size=4).map("".join))
@example("{a.1} {a.b-c} {a.} {1a} {a_b}} {{x}")
def test_placeholders_are_what_the_placeholder_regex_finds(text: str) -> None:
    assert placeholders(text) == [(m.start(), m.end(), m.group(1), m.group(2))
                                  for m in PLACEHOLDER.finditer(text)]
    assert fill_placeholders(text, lambda name, attribute: f"<{name}|{attribute}>") == \
        PLACEHOLDER.sub(lambda m: f"<{m.group(1)}|{m.group(2)}>", text)


@settings(max_examples=500)
@given(st.lists(_texts(CAPTURE), max_size=3).map("".join))
@example("@a-b.c?d! @é٣_ @ @@x")
def test_capture_names_end_where_the_capture_regex_ended(text: str) -> None:
    for at in (i for i, ch in enumerate(text) if ch == "@"):
        match = CAPTURE.match(text, at)
        assert capture_name_end(text, at + 1) == (match.end() if match else at + 1)


@settings(max_examples=500)
@given(_texts(ALIAS, re.compile(r"[A-Z_]+__\d+\n?")))
@example("__12")
@example("A\nB__1")
@example("A__1\n")
@example("A__1\n\n")
@example("A___1__2")
def test_alias_parts_are_what_the_alias_regex_read(text: str) -> None:
    match = ALIAS.match(text)
    assert alias_parts(text) == (match.groups() if match else None)


@settings(max_examples=500)
@given(st.lists(_texts(STRING_OR_CAPTURE), max_size=5).map("".join))
@example('"a\\"@b" @c "@d\\\n@e" "@f')
@example('@a.b?c!-d@ "x\\')
@example("@" + "a.b-" * 20 + ' "@c" @' + "d" * 64)  # names longer than the window read at once
def test_rename_captures_is_the_string_or_capture_substitution(text: str) -> None:
    def rename(name: str) -> str:
        return f"<{name}>"

    assert rename_captures(text, rename) == \
        STRING_OR_CAPTURE.sub(lambda m: m[0] if m[1] is None else f"@{rename(m[1])}", text)


# What validator code looks like, and pieces of it: the reader must agree with the regex on
# near misses too (a wrapper without `v.`, mismatched quotes, a word of Unicode letters).
VALIDATOR_PIECES = st.lists(st.sampled_from(
    ["v.", "id(", "optional(", "union(", "v.string()", '"', "'", "users", "é٣_", " ", "\n",
     "\u2003", ")", ",", "x", "-", ""]), max_size=9).map("".join)


@settings(max_examples=1000)
@given(st.one_of(VALIDATOR_PIECES, st.from_regex(ID_VALIDATOR), st.text(max_size=12)))
@example('v.optional( \n v.id( "users" ) )')
@example("v.union(v.id('a\"), v.null())")
@example("v.optional(v.string())")
@example("v.optionalv.id('a')")
@example("v.id('')")
@example("v.id('a b')")
@example("v.id('\u2003a')")
def test_id_validator_table_is_what_the_validator_regex_read(text: str) -> None:
    match = ID_VALIDATOR.match(text)
    assert id_validator_table(text) == (match.group(1) if match else None)
