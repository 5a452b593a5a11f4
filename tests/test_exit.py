"""How the command leaves its process (cli.run): without the interpreter's teardown, but with
every byte of the report delivered, the exit code main() chose, and the exit handlers run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import MakeProject, mutation_source


def _unawaited_writes(count: int) -> dict[str, str]:
    """A mutation of `count` unawaited writes: a text report of about 180 bytes a finding."""
    body = "\n".join(f"    ctx.db.patch(id{index}, {{ n: {index} }});" for index in range(count))
    return {"convex/m.ts": "import { mutation } from './_generated/server';\n"
            + mutation_source("m", body)}


MANY_FINDINGS = _unawaited_writes(400)  # a JSON report of more than a pipe holds (64 KB)


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mutlint", *args]


# Output buffered as on a user's machine: an unflushed buffer is lost by an exit that skips
# the teardown, which PYTHONUNBUFFERED (set in some CI environments) would hide.
BUFFERED = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}


def test_a_long_report_arrives_whole_with_the_exit_code(make_project: MakeProject) -> None:
    root = make_project(MANY_FINDINGS)
    done = subprocess.run(_command("check", ".", "--format", "json"), cwd=root,
                          capture_output=True, stdin=subprocess.DEVNULL, env=BUFFERED)
    assert done.returncode == 1, done.stderr
    assert len(json.loads(done.stdout)["findings"]) == 400
    assert len(done.stdout) > 65536  # more than one pipe buffer: flushed at exit, not lost


def test_exit_handlers_still_run(make_project: MakeProject) -> None:
    """A tool that wraps mutlint (a coverage run, logging) registers atexit handlers: the
    skipped teardown must not skip them."""
    root = make_project(MANY_FINDINGS)
    script = ("import atexit, runpy, sys\n"
              "atexit.register(lambda: sys.stderr.write('exit handler ran\\n'))\n"
              "sys.argv = ['mutlint', 'check', '.', '--fail-on', 'never']\n"
              "runpy.run_module('mutlint', run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, env=BUFFERED)
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith("exit handler ran\n")
    assert done.stdout.count("unawaited-convex-write") == 400


def test_a_reader_gone_before_the_report_gets_no_traceback(make_project: MakeProject) -> None:
    """`mutlint check | true`: the pipe's reader has left before the report is written (a
    reader that leaves midway, as `head -1` does, is the same write failing later). Exit 2,
    and no traceback or 'Exception ignored' from a flush at exit."""
    root = make_project(MANY_FINDINGS)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(_command("check", "."), cwd=root, stdout=write_end,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=120,
                              env=BUFFERED)
    finally:
        os.close(write_end)
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr


def test_what_argparse_prints_arrives(make_project: MakeProject) -> None:
    """--version and --help print and leave through SystemExit, without a flush of their own."""
    root = make_project({})
    version = subprocess.run(_command("--version"), cwd=root, capture_output=True, text=True,
                             env=BUFFERED)
    assert (version.returncode, version.stdout.startswith("mutlint ")) == (0, True)
    helped = subprocess.run(_command("check", "--help"), cwd=root, capture_output=True, text=True,
                             env=BUFFERED)
    assert helped.returncode == 0 and "--no-cache" in helped.stdout
    wrong = subprocess.run(_command("check", "--no-such-option"), cwd=root, capture_output=True,
                           text=True, env=BUFFERED)
    assert wrong.returncode == 2 and "--no-such-option" in wrong.stderr

