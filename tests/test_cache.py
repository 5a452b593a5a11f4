""".mutlint_cache/: a warm run says exactly what a run without the cache says, whatever changed
since (the files a check depended on are tracked), and nothing in the cache is trusted."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import pytest
from conftest import RunMutlint
from fuzz_inputs import EXAMPLE, example_files, mutate_lines
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutlint.cache import SHARD_SUFFIX, _entries_of, shard_text
from mutlint.cli import main

EXAMPLES = int(os.environ.get("MUTLINT_FUZZ_EXAMPLES", "25"))
SOURCES = tuple(sorted(p for p in example_files() if p.endswith((".ts", ".tsx"))))
PAGE = "app/onboarding/page.tsx"


def entries(root: Path) -> list[Path]:
    """The cache's shard files (each holds the entries whose names hash to it)."""
    return sorted((root / ".mutlint_cache").glob(f"*/*{SHARD_SUFFIX}"))


def rewrite_entries(shard: Path, change) -> None:
    """Each entry of the shard decoded, changed by `change` and written back, as a shard is."""
    data = {}
    for name, text in _entries_of(shard.read_text(encoding="utf-8")).items():
        entry = json.loads(text)
        change(entry)
        data[name] = json.dumps(entry)
    shard.write_text(shard_text(data), encoding="utf-8")


def copy_example(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".mutlint_cache"))
    return root


def check_json(run_mutlint: RunMutlint, root: Path, *extra: str) -> tuple[str, str]:
    code, out, err = run_mutlint("check", ".", "--format", "json", *extra, cwd=root)
    assert code in (0, 1), err
    return out, err


def test_a_warm_run_parses_nothing_and_reports_the_same(run_mutlint: RunMutlint, tmp_path: Path):
    root = copy_example(tmp_path)
    cold, _ = check_json(run_mutlint, root)
    assert entries(root), "the first run fills the cache"
    warm, _ = check_json(run_mutlint, root)
    without, _ = check_json(run_mutlint, root, "--no-cache")
    assert cold == warm == without
    assert json.loads(warm)["findings"], "the example app has findings to keep"
    _, _, stats = run_mutlint("check", ".", "--statistics", cwd=root)
    _, _, cold_stats = run_mutlint("check", ".", "--statistics", "--no-cache", cwd=root)
    parsed = re.search(r" (\d+) parsed, 0 from the cache", cold_stats).group(1)
    assert int(parsed) > 5 and f" 0 parsed, {parsed} from the cache" in stats


def test_an_edit_to_a_mutation_reaches_the_unchanged_page_that_calls_it(run_mutlint: RunMutlint,
                                                                        tmp_path: Path):
    root = copy_example(tmp_path)
    before, _ = check_json(run_mutlint, root)
    assert any(f["path"] == PAGE and f["rule"] == "parallel-mutations-same-doc"
               for f in json.loads(before)["findings"])
    # The mutation stops changing existing documents: the page's repeated calls no longer race.
    mutation = root / "convex" / "onboarding.ts"
    text = mutation.read_text(encoding="utf-8")
    assert "ctx.db.patch(" in text
    mutation.write_text(text.replace("ctx.db.patch(", "ctx.db.get("), encoding="utf-8")
    after, _ = check_json(run_mutlint, root)
    assert after == check_json(run_mutlint, root, "--no-cache")[0]
    assert not any(f["path"] == PAGE and f["rule"] == "parallel-mutations-same-doc"
                   for f in json.loads(after)["findings"])


def test_corrupted_entries_are_rebuilt_not_trusted(run_mutlint: RunMutlint, tmp_path: Path):
    root = copy_example(tmp_path)
    clean, _ = check_json(run_mutlint, root)
    damaged = entries(root)
    assert len(damaged) >= 6

    def wrong_types(entry: dict) -> None:
        entry.update(hash=1, deps=[], groups="x")

    def wrong_payload(entry: dict) -> None:  # the right file (or fact) and hashes
        if "records" in entry["payload"]:
            entry["payload"]["records"] = {rule: [["not", "a", "record"]]
                                           for rule in entry["payload"]["records"]}
        elif "value" in entry["payload"]:  # a stored fact about a mutation
            entry["payload"]["value"] = ["mutation", "not pairs", 1, None]
        else:  # a dependency group: its digest no longer matches
            entry["deps"] = {path: "0" * 32 for path in entry["deps"]}

    for index, shard in enumerate(damaged):
        if index % 3 == 0:
            shard.write_bytes(b"\x00\xff not json")
        else:
            rewrite_entries(shard, wrong_types if index % 3 == 1 else wrong_payload)
    again, err = check_json(run_mutlint, root)
    assert again == clean and "Traceback" not in err and "internal error" not in err
    assert check_json(run_mutlint, root)[0] == clean  # and the entries were written anew


def _hide_every_finding(root: Path) -> None:
    def hide(entry: dict) -> None:
        if "records" in entry["payload"]:
            entry["payload"]["records"] = {rule: [] for rule in entry["payload"]["records"]}

    for shard in entries(root):
        rewrite_entries(shard, hide)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_cache_committed_to_the_repository_is_not_read(run_mutlint: RunMutlint, tmp_path: Path):
    root = copy_example(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    clean, _ = check_json(run_mutlint, root)
    assert "mutlint_cache" not in subprocess.run(["git", "status", "--porcelain"], cwd=root,
                                                 capture_output=True, text=True).stdout
    _hide_every_finding(root)
    # A forged cache that is only on this disk is believed (it hides the findings) ...
    believed = json.loads(check_json(run_mutlint, root)[0])["findings"]
    assert not any(f["rule"] == "parallel-mutations-same-doc" for f in believed)
    # ... but one that arrived in a commit, as a pull request could send it, is not.
    subprocess.run([*git, "add", "-f", ".mutlint_cache"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "forged"], cwd=root, check=True)
    assert check_json(run_mutlint, root)[0] == clean
    # Nor does mutlint write into it (the code fingerprint's memo included).
    subprocess.run([*git, "rm", "-q", ".mutlint_cache/code.json"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "no memo"], cwd=root, check=True)
    check_json(run_mutlint, root)
    assert not (root / ".mutlint_cache" / "code.json").exists()


def test_no_cache_reads_and_writes_nothing(run_mutlint: RunMutlint, tmp_path: Path):
    root = copy_example(tmp_path)
    check_json(run_mutlint, root, "--no-cache")
    assert not (root / ".mutlint_cache").exists()
    check_json(run_mutlint, root)
    _hide_every_finding(root)
    assert json.loads(check_json(run_mutlint, root, "--no-cache")[0])["findings"]


def test_two_runs_at_once_share_the_cache(tmp_path: Path):
    root = copy_example(tmp_path)
    command = [sys.executable, "-m", "mutlint", "check", ".", "--format", "json"]
    expected = subprocess.run([*command, "--no-cache"], cwd=root, capture_output=True, text=True).stdout
    for _ in range(3):
        shutil.rmtree(root / ".mutlint_cache", ignore_errors=True)
        runs = [subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for _ in range(2)]
        outputs = [run.communicate(timeout=120) for run in runs]
        assert [out for out, _ in outputs] == [expected, expected], [err for _, err in outputs]
        assert subprocess.run(command, cwd=root, capture_output=True, text=True).stdout == expected


def run_json(capsys, root: Path, *extra: str) -> str:
    code = main(["check", str(root), "--format", "json", *extra])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return out


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False), edits=st.lists(st.sampled_from(SOURCES), min_size=1,
                                                              max_size=3))
def test_after_any_edits_the_cache_agrees_with_a_cold_run(capsys, rng: random.Random, edits: list[str]):
    """Edits anywhere (a mutation, the schema, crons, a page), files deleted and added: the
    warm run must equal a run without the cache. The files are a day old and the clock a
    minute ahead, so the file index keeps every stat and the unedited files are not read."""
    real_clock = time.time_ns
    with tempfile.TemporaryDirectory() as scratch, \
            mock.patch("mutlint.file_index.time.time_ns", lambda: real_clock() + 60 * 10**9):
        root = Path(scratch) / "app"
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".mutlint_cache"))
        day_ago = real_clock() - 86_400 * 10**9
        for path in root.rglob("*"):
            os.utime(path, ns=(day_ago, day_ago))
        run_json(capsys, root)
        for target in edits:
            path = root / target
            action = rng.choice(("mutate", "mutate", "mutate", "delete", "copy"))
            if action == "delete":
                path.unlink(missing_ok=True)
            elif action == "copy":
                (path.parent / f"copy{rng.randrange(100)}{path.suffix}").write_bytes(
                    (EXAMPLE / target).read_bytes())
            elif path.exists():
                path.write_bytes(mutate_lines(rng, path.read_bytes()))
        assert run_json(capsys, root) == run_json(capsys, root, "--no-cache")


def test_a_cache_dir_that_is_a_link_is_not_used(run_mutlint: RunMutlint, tmp_path: Path):
    root = copy_example(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / ".mutlint_cache").symlink_to(elsewhere, target_is_directory=True)
    out, err = check_json(run_mutlint, root)
    assert out == check_json(run_mutlint, root, "--no-cache")[0] and "Traceback" not in err
    assert list(elsewhere.iterdir()) == []  # nothing written through the link


def _two_names_in_one_shard() -> tuple[str, str]:
    from mutlint.cache import _shard_of

    first = "a.ts"
    second = next(f"b{n}.ts" for n in range(10_000) if _shard_of(f"b{n}.ts") == _shard_of(first))
    return first, second


def test_a_shard_another_run_replaced_meanwhile_keeps_its_entries(tmp_path: Path):
    from mutlint.cache import Cache, Entry

    first, second = _two_names_in_one_shard()
    ours, theirs = Cache(tmp_path), Cache(tmp_path)
    assert ours.get(first) is None  # this run reads the shard (no file yet)
    theirs.put(second, Entry("h2", {second: "h2"}, {}))
    theirs.save()
    ours.put(first, Entry("h1", {first: "h1"}, {}))
    ours.save()
    fresh = Cache(tmp_path)
    assert fresh.get(first).hash == "h1" and fresh.get(second).hash == "h2"


def test_a_shard_unchanged_since_it_was_read_is_not_read_again_to_be_written(tmp_path: Path):
    from mutlint.cache import Cache, Entry

    first, second = _two_names_in_one_shard()
    earlier = Cache(tmp_path)
    earlier.put(first, Entry("h1", {first: "h1"}, {}))
    earlier.save()
    ours = Cache(tmp_path)
    assert ours.get(first).hash == "h1"
    ours.put(second, Entry("h2", {second: "h2"}, {}))
    with mock.patch("mutlint.cache._entries_of", side_effect=AssertionError("read again")):
        ours.save()
    fresh = Cache(tmp_path)
    assert fresh.get(first).hash == "h1" and fresh.get(second).hash == "h2"


def test_a_check_of_an_edited_mutation_file_parses_that_file_alone(run_mutlint: RunMutlint,
                                                                 tmp_path: Path):
    """The tables the schema declares, and their `v.id` fields, come from the cache while the
    schema is unchanged: the schema is not parsed for table inference (it was, for every
    check of a mutation file). Edited, the schema is read again."""
    root = copy_example(tmp_path)
    past = time.time() - 60  # older than the file index's racy window: their stats are kept
    for path in root.rglob("*"):
        os.utime(path, (past, past))
    check_json(run_mutlint, root)
    mutation = root / "convex" / "onboarding.ts"

    def check_alone(relpath: str) -> str:
        code, out, stats = run_mutlint("check", relpath, "--format", "json", "--statistics", cwd=root)
        assert code in (0, 1), stats
        assert out == run_mutlint("check", relpath, "--format", "json", "--no-cache", cwd=root)[1]
        return stats

    mutation.write_text(mutation.read_text(encoding="utf-8") + "\n// edited\n", encoding="utf-8")
    assert "; 1 parses in all" in check_alone("convex/onboarding.ts")
    schema = root / "convex" / "schema.ts"
    schema.write_text(schema.read_text(encoding="utf-8") + "\n// edited\n", encoding="utf-8")
    mutation.write_text(mutation.read_text(encoding="utf-8") + "// again\n", encoding="utf-8")
    assert "; 1 parses in all" not in check_alone("convex/onboarding.ts")


def test_a_shard_keeps_any_name_and_drops_only_its_damaged_lines(tmp_path: Path):
    """A shard is a line per entry (its name, a tab, its JSON): names with tabs, newlines,
    quotes or non-ASCII characters (all legal in file names) come back as they went in, and
    a damaged line loses its own entry, not the shard's others."""
    from mutlint.cache import Cache, Entry, _shard_of

    odd = ["a\tb.ts", "c\nd.ts", 'e"f\\g.ts', "ünï\u2028cödé.ts", "\0fact [\"x\"]"]
    written = Cache(tmp_path)
    for name in odd:
        written.put(name, Entry(f"h-{name}", {name: "h"}, {"value": [name]}))
    written.save()
    read = Cache(tmp_path)
    for name in odd:
        entry = read.get(name)
        assert (entry.hash, entry.deps, entry.payload) == (f"h-{name}", {name: "h"}, {"value": [name]})

    first, second = _two_names_in_one_shard()
    cache = Cache(tmp_path)
    cache.put(first, Entry("h1", {}, {}))
    cache.put(second, Entry("h2", {}, {}))
    cache.save()
    [path] = tmp_path.glob(f"{_shard_of(first)}{SHARD_SUFFIX}")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(line.count("\t") == 1 for line in lines)
    for damage in (lambda line: line[:-5], lambda line: line.replace("\t", " "),
                   lambda line: line.split("\t")[0] + "\t[]", lambda line: line + "{}"):
        damaged = [damage(line) if json.loads(line.split("\t")[0]) == first else line
                   for line in lines]
        path.write_text("\n".join(damaged) + "\n", encoding="utf-8")
        fresh = Cache(tmp_path)
        assert fresh.get(first) is None and fresh.get(second).hash == "h2"
