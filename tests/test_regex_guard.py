"""A constraint that is a list of words is searched as a set: the regex module must give the
same answer on every subject, and every other shape must still be a regex."""

from __future__ import annotations

import sys

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from mutlint.regex_guard import WordList, anchored_words, compile_user_regex, guarded_search

WORD_LISTS = ["^(patch|replace|delete)$", "^(?:runMutation|runAction)$", "^insert$", "^(a)$",
              "^(x_1|X_2|_)$"]
NOT_WORD_LISTS = [
    "^patch|replace$",  # binds to the anchors: "patch..." or "...replace"
    "^(patch|replace)",  # unanchored end
    "(patch|replace)$",
    "^(patch|)$",  # an empty alternative matches the empty string
    "^()$", "^$", "^(a)|(b)$", "^((a|b))$", "^(a|b)c$", "^(?i:a|b)$",
    r"^\w+$", "^a.b$", "^(a$|b)$", "^(café|thé)$", "^(a+)$", r"^a\$", "^(?P<x>a|b)$",
]
SUBJECTS = ["patch", "replace", "delete", "patch\n", "patch\n\n", "\npatch", " patch", "patc",
            "patchx", "", "\n", "a", "A", "insert", "insert\r", "runMutation", "runAction\n",
            "x_1", "_", "ab", "a\nb"]


@pytest.mark.parametrize("pattern", WORD_LISTS)
@pytest.mark.parametrize("subject", SUBJECTS)
def test_a_word_list_answers_as_the_regex_does(pattern: str, subject: str) -> None:
    compiled = compile_user_regex(pattern)
    assert type(compiled) is WordList
    assert guarded_search(compiled, subject) is (regex.search(pattern, subject) is not None)


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.text("ab_9Z", min_size=1, max_size=3), min_size=1, max_size=4),
       subject=st.text("ab_9Z\n ", max_size=5), grouped=st.booleans())
def test_any_word_list_and_subject(words: list[str], subject: str, grouped: bool) -> None:
    pattern = f"^({'|'.join(words)})$" if grouped or len(words) > 1 else f"^{words[0]}$"
    compiled = compile_user_regex(pattern)
    assert type(compiled) is WordList
    assert guarded_search(compiled, subject) is (regex.search(pattern, subject) is not None)


@pytest.mark.parametrize("pattern", NOT_WORD_LISTS)
def test_anything_else_stays_a_regex(pattern: str) -> None:
    assert anchored_words(pattern) is None
    compiled = compile_user_regex(pattern, deferred=True)
    assert type(compiled) is not WordList
    for subject in SUBJECTS:  # and it still answers as the regex module does
        assert guarded_search(compiled, subject) is (regex.search(pattern, subject) is not None)


def test_shipped_constraints_need_no_regex_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pack's word lists are searched without importing `regex` (10 ms of a pre-commit
    run): a rule with one still matches with the module made unimportable."""
    monkeypatch.setitem(sys.modules, "regex", None)
    compiled = compile_user_regex("^(mutation|mutate|mutateAsync|runMutation)$", deferred=True)
    assert guarded_search(compiled, "mutateAsync") and not guarded_search(compiled, "mutateAsyncX")
    with pytest.raises(ImportError):  # a pattern no earlier test compiled (compiles are cached)
        guarded_search(compile_user_regex(r"^\w+ only here$", deferred=True), "x")


def test_an_unbalanced_group_is_no_word_list_but_an_invalid_regex() -> None:
    assert anchored_words("^(a|b))$") is None
    with pytest.raises(ValueError, match="invalid regex"):
        compile_user_regex("^(a|b))$")


def test_a_word_list_equals_by_its_pattern() -> None:
    one, other = compile_user_regex("^(a|b)$"), compile_user_regex("^(a|b)$")
    assert one == other and hash(one) == hash(other) and one != compile_user_regex("^(b|a)$")
