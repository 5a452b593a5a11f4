"""The cache's code fingerprint follows content: a fresh install of the same code (a CI runner
restoring `.mutlint_cache/`) reuses entries; changed code, or another grammar build, does not."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

from mutlint.cache import code_fingerprint


def _package(root: Path, binding: bytes = b"\x7fELF grammar") -> SimpleNamespace:
    root.mkdir(parents=True)
    (root / "__init__.py").write_text("VERSION = 1\n")
    (root / "_binding.so").write_bytes(binding)
    return SimpleNamespace(__file__=str(root / "__init__.py"))


def test_the_same_files_installed_elsewhere_at_another_time_give_one_fingerprint(tmp_path: Path) -> None:
    first = _package(tmp_path / "site-a" / "grammar")
    shutil.copytree(tmp_path / "site-a", tmp_path / "site-b")
    for path in (tmp_path / "site-b").rglob("*"):
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    second = SimpleNamespace(__file__=str(tmp_path / "site-b" / "grammar" / "__init__.py"))
    assert code_fingerprint(first).value == code_fingerprint(second).value


def test_another_build_of_the_grammar_gives_another(tmp_path: Path) -> None:
    one = _package(tmp_path / "a" / "grammar", b"build 1")
    other = _package(tmp_path / "b" / "grammar", b"build 2")
    assert code_fingerprint(one).value != code_fingerprint(other).value


def test_the_memo_answers_for_unchanged_stats_and_a_damaged_one_is_ignored(tmp_path: Path) -> None:
    grammar = _package(tmp_path / "site" / "grammar")
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    memo = cache_dir / "code.json"
    first = code_fingerprint(grammar, memo=memo)
    assert not memo.exists()  # written only when the cache dir is known to be ours
    first.remember()
    true = first.value
    known = json.loads(memo.read_text())
    assert list(known.values()) == [true]
    # The memo is what answers while the stats are unchanged (so nothing is hashed) ...
    memo.write_text(json.dumps({key: "0" * 32 for key in known}))
    assert code_fingerprint(grammar, memo=memo).value == "0" * 32
    # ... and a changed file has other stats: hashed again, whatever the memo says.
    (tmp_path / "site" / "grammar" / "__init__.py").write_text("VERSION = 22\n")
    changed = code_fingerprint(grammar, memo=memo).value
    assert changed not in (true, "0" * 32)
    memo.write_bytes(b"\xff{not json")
    again = code_fingerprint(grammar, memo=memo)
    assert again.value == changed
    again.remember()
    assert list(json.loads(memo.read_text()).values()) == [changed]  # rewritten


def test_no_memo_is_written_where_there_is_no_cache_dir(tmp_path: Path) -> None:
    grammar = _package(tmp_path / "site" / "grammar")
    code_fingerprint(grammar, memo=tmp_path / "missing" / "code.json").remember()
    assert not (tmp_path / "missing").exists()
