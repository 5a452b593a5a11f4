"""-j: a file is checked by the process that claims it first (mutlint/claims.py)."""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
import time
from pathlib import Path

import pytest
from conftest import RunMutlint, report_in_process

from mutlint import scan
from mutlint.claims import Claims

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate  # noqa: E402

_CLAIMS: Claims | None = None


def _take_in_child(asked: tuple[str, int]) -> bool:
    return _CLAIMS.take(*asked)


def test_a_claim_is_one_scan_s_and_unlisted_files_are_everyone_s():
    """Claims are a chunk's, not a process's: a pool worker that runs two chunks must not
    check in the second what it claimed in the first."""
    global _CLAIMS
    _CLAIMS = Claims(["a.ts", "b.ts"])
    assert _CLAIMS.take("a.ts", 1) and _CLAIMS.take("a.ts", 1)  # taken, and still ours
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.map(_take_in_child, [("a.ts", 2), ("b.ts", 2), ("b.ts", 3), ("cached.ts", 3)]) \
            == [False, True, False, True]
    assert not _CLAIMS.take("b.ts", 1)  # the child's chunk 2 took it


def test_files_a_page_s_facts_parse_are_checked_once_whoever_claims_them(run_mutlint: RunMutlint,
                                                                        tmp_path: Path):
    """Pages in one process's chunk call mutations in the other's: whichever process claims a
    mutation checks it, once. Each run matches one process's bytes and counts every file once."""
    generate(tmp_path, 400, seed=3)
    one = run_mutlint("check", ".", "--format", "json", "--no-cache", cwd=tmp_path)
    files = len([p for p in tmp_path.rglob("*.ts*") if "node_modules" not in p.parts])
    for _ in range(3):
        code, out, err = run_mutlint("check", ".", "--format", "json", "--no-cache", "-j", "2",
                                     "--statistics", cwd=tmp_path)
        assert (code, out) == one[:2]
        counts = next(line for line in err.splitlines() if line.startswith("files: "))
        read, parsed, skipped = (int(n) for n in re.match(
            r"files: (\d+) read, (\d+) parsed, 0 from the cache, (\d+) skipped", counts).groups())
        assert read == files and parsed + skipped == files, counts


def test_a_process_done_with_its_files_checks_the_others_unclaimed_ones(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Dealt the same number of files, one process may take much longer (its files, or a busy
    core): the other, done, checks the files no process has claimed yet, from the end."""
    root = tmp_path / "app"
    generate(root, 400, seed=3)
    log, parent = tmp_path / "checks.log", os.getpid()
    check = scan._ScanState.check

    def logged(state, path, *, early=False):
        if os.getpid() != parent:
            time.sleep(0.01)  # a slow child
        if state.defer and path not in state.counted:  # not the parent's deferred checks
            with open(log, "a") as out:
                out.write(f"{os.getpid()} {path}\n")
        return check(state, path, early=early)

    monkeypatch.setattr(scan._ScanState, "check", logged)
    report = report_in_process(["check", str(root), "--no-cache", "-j", "2"])
    checked_by: dict[str, list[str]] = {}
    for line in log.read_text().splitlines():
        pid, path = line.split(" ", 1)
        checked_by.setdefault(path, []).append(pid)
    assert len(checked_by) == 400 and all(len(pids) == 1 for pids in checked_by.values())
    # an even deal gives each 200; the parent took files of the slow child's share
    assert sum(pids == [str(parent)] for pids in checked_by.values()) > 250
    monkeypatch.undo()
    assert report == report_in_process(["check", str(root), "--no-cache", "-j", "1"])


def test_a_process_taking_others_files_holds_a_reserve_of_them_claimed():
    """The parent, checking a child's files, keeps `reserve` of them claimed beyond the one it
    checks next: the child runs out first by about that much, and hands its facts back while
    the parent goes on. Files another scan claimed, or this one checked early, are passed by."""
    from collections import deque

    root = Path("/project")
    paths = [root / f"f{index}.ts" for index in range(10)]
    claims = Claims([f"f{index}.ts" for index in range(10)])
    assert claims.take("f8.ts", 2)  # the child has it
    spare, held = deque(reversed(paths)), deque()  # the child's chunk, from its end
    scan._claim_ahead(spare, held, 3, {root / "f7.ts"}, claims, 1, root)
    assert list(held) == [root / "f9.ts", root / "f6.ts", root / "f5.ts", root / "f4.ts"]
    assert [claims.free(f"f{index}.ts", 2) for index in range(10)] == \
        [True] * 4 + [False] * 3 + [True, True, False]  # f7 was checked early: still unclaimed
    held.popleft()
    scan._claim_ahead(spare, held, 3, set(), claims, 1, root)  # topped up by one
    assert list(held) == [root / "f6.ts", root / "f5.ts", root / "f4.ts", root / "f3.ts"]
    assert not claims.free("f3.ts", 2) and claims.free("f2.ts", 2)
    scan._claim_ahead(spare, held, 0, set(), claims, 1, root)  # no reserve: nothing more
    assert len(held) == 4 and claims.free("f2.ts", 2)


@pytest.mark.parametrize("jobs", [2, 3])
def test_the_parent_is_dealt_a_share_of_each_child_s_files_spread_over_its_chunk(jobs: int):
    """Every file is dealt once; each child gives the parent every (jobs / HANDOFF_SHARE)-th
    file of its chunk, so the parent ends about a child's hand-off after the children."""
    from mutlint.engine import _deal, _spare

    pending = [Path(f"f{index:04}.ts") for index in range(3000)]
    chunks = _deal(pending, jobs)
    assert sorted(path for chunk in chunks for path in chunk) == pending
    step = round(jobs / scan.HANDOFF_SHARE)
    even = len(pending) // jobs
    for chunk in chunks[1:]:
        assert len(chunk) == even - even // step
    assert len(chunks[0]) == even + (jobs - 1) * (even // step)
    moved = [path for path in chunks[0] if path not in pending[0::jobs]]
    assert moved[:2] == [pending[jobs * (step - 1) + 1], pending[jobs * (2 * step - 1) + 1]]
    # What a process done with its own chunk may take: the other children's, the last first.
    assert _spare(pending, chunks, skip=0) == [p for p in reversed(pending) if p not in chunks[0]]
    if jobs == 3:
        assert set(_spare(pending, chunks, skip=1)) == set(chunks[2])
