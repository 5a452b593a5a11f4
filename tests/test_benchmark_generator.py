"""The benchmark's synthetic projects: deterministic, valid TypeScript, with the seeded problems.

A benchmark on files that do not parse, or that mutlint finds nothing in, would time error
recovery or an early exit instead of a real check.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import tree_sitter
import tree_sitter_typescript

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate  # noqa: E402


def _files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", 150, seed=3)
    generate(tmp_path / "b", 150, seed=3)
    generate(tmp_path / "c", 150, seed=4)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_every_file_parses_and_sizes_are_those_of_real_apps(tmp_path: Path) -> None:
    written = generate(tmp_path, 400)
    typescript = tree_sitter.Parser(tree_sitter.Language(tree_sitter_typescript.language_typescript()))
    tsx = tree_sitter.Parser(tree_sitter.Language(tree_sitter_typescript.language_tsx()))
    sources = {relpath: data for relpath, data in _files(tmp_path).items()
               if relpath.endswith((".ts", ".tsx"))}
    assert len(sources) == written == 400
    broken = [relpath for relpath, data in sources.items()
              if (tsx if relpath.endswith(".tsx") else typescript).parse(data).root_node.has_error]
    assert broken == []
    sizes = sorted(len(data) for data in sources.values())
    mean = sum(sizes) / len(sizes)
    # Public Convex apps: 6.1 KB a file on average, most small, a few several times that.
    assert 4_500 < mean < 8_000
    assert sizes[len(sizes) // 10] < mean / 2 and sizes[-1] > 3 * mean


def test_mutlint_finds_the_seeded_problems(tmp_path: Path, run_mutlint) -> None:
    generate(tmp_path, 150)
    code, out, err = run_mutlint("check", ".", "--no-cache", "--format", "json", cwd=tmp_path)
    assert code == 1, err
    report = json.loads(out)
    found = Counter(finding["rule"] for finding in report["findings"])
    assert set(found) == {"dual-doc-patch", "parallel-mutations-same-doc",
                          "missing-ttl-on-high-volume-table"}
    assert report["skipped"] == []
