"""A run that ends its process with os._exit (the console script) leaves what it made for the
operating system; called as a function, a run frees what it made and turns the cyclic
collector back on."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref

import pytest

from mutlint import engine, teardown


class Made:
    """Something a run made (weakly referenceable, unlike a dict)."""


@pytest.fixture
def fresh_teardown(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(teardown, "_kept", None)
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()


def test_called_as_a_function_nothing_is_kept(fresh_teardown) -> None:
    made = Made()
    gone = weakref.ref(made)
    teardown.keep_until_exit(made)
    del made
    assert gone() is None
    assert not teardown.skipped()


def test_a_process_that_skips_teardown_keeps_what_it_is_handed(fresh_teardown) -> None:
    gc.enable()
    teardown.skip()
    assert not gc.isenabled()  # off from here on: imports and all
    made = Made()
    kept = weakref.ref(made)
    teardown.keep_until_exit(made)
    del made
    assert kept() is not None
    assert teardown.skipped()


def test_the_collector_is_back_on_after_a_check_called_as_a_function(fresh_teardown) -> None:
    gc.enable()
    with engine.without_cycle_collection():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_stays_off_in_a_process_that_skips_teardown(fresh_teardown) -> None:
    """Switched on again, its first pass would go over every object the check made."""
    gc.enable()
    teardown.skip()
    with engine.without_cycle_collection():
        pass
    assert not gc.isenabled()


def test_the_console_script_still_runs_exit_handlers_and_flushes(tmp_path) -> None:
    """What the console script ends with: the report is written whole, atexit handlers run,
    and the exit status is the check's."""
    (tmp_path / "package.json").write_text("{}\n")
    (tmp_path / "convex").mkdir()
    (tmp_path / "convex" / "a.ts").write_text(
        'import { mutation } from "./_generated/server";\n'
        "export const f = mutation({ handler: async (ctx) => { ctx.db.insert('t', {}); } });\n")
    code = ("import atexit, sys\nfrom mutlint import cli\n"
            "atexit.register(lambda: sys.stderr.write('handler ran\\n'))\n"
            "sys.argv = ['mutlint', 'check', '.', '--no-cache']\ncli.run()\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert "unawaited-convex-write" in done.stdout
    assert done.stdout.rstrip().endswith("in 1 file.")
    assert "handler ran" in done.stderr
