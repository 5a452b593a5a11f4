"""The benchmark's synthetic projects: deterministic, valid TypeScript, with the seeded problems.

A benchmark on files that do not parse, or that mutlint finds nothing in, would time error
recovery or an early exit instead of a real check.
"""

from __future__ import annotations

import json
import subprocess
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


def test_the_one_file_floor_compiles_what_the_check_compiled(tmp_path: Path) -> None:
    """benchmarks/one_file_floor.py: `record` writes the queries a check of the file compiled,
    `floor` compiles them again. A check of a clean page compiles none (a run of a few files
    walks its queries, mutlint/walk_query.py); one of a page with a syntax error hands its
    tree to tree-sitter, so its rules' plan is compiled."""
    generate(tmp_path, 150)
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "one_file_floor.py"
    queries = tmp_path / "queries.json"

    def record(path: str) -> list:
        subprocess.run([sys.executable, str(script), "record", path, str(queries)],
                       cwd=tmp_path, check=True)
        recorded = json.loads(queries.read_text())
        assert recorded["language"] == "tsx"
        return recorded["queries"]

    def floor(path: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(script), "floor", path, str(queries)],
                              cwd=tmp_path, capture_output=True, text=True)

    assert record("app/p0/page.tsx") == []
    assert floor("app/p0/page.tsx").returncode == 0
    page = (tmp_path / "app" / "p0" / "page.tsx").read_text()
    (tmp_path / "app" / "broken.tsx").write_text(page + "\nconst broken = (;\n")
    recorded = record("app/broken.tsx")
    assert recorded and {language for language, _ in recorded} == {"tsx"}
    assert any("call_expression" in text for _, text in recorded)
    done = floor("app/broken.tsx")
    assert done.returncode == 0 and done.stderr == ""
    queries.write_text(json.dumps({"language": "tsx", "queries": [["tsx", "(no_such_node) @x"]]}))
    assert floor("app/p0/page.tsx").returncode != 0  # a query it cannot compile is no floor


def test_the_check_floor_replays_the_tree_sitter_work_of_a_check(tmp_path: Path) -> None:
    """benchmarks/check_floor.py: `record` writes what a cold check asked of tree-sitter (the
    files read, the parses, the queries and their runs with the matches each found); `replay`
    does that work again and fails if any run finds other matches."""
    project = tmp_path / "project"
    generate(project, 150)
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "check_floor.py"
    work = tmp_path / "work.json"
    subprocess.run([sys.executable, str(script), "record", str(project), str(work)],
                   cwd=project, check=True)
    recorded = json.loads(work.read_text())
    stats = subprocess.run([sys.executable, "-m", "mutlint", "check", ".", "--no-cache",
                            "--statistics", "--fail-on", "never"],
                           cwd=project, capture_output=True, text=True, check=True)
    counts = next(line for line in stats.stderr.splitlines() if line.startswith("files:"))
    assert counts.startswith(f"files: {len(recorded['read'])} read, ")
    assert f"; {len(recorded['parses'])} parses in all" in counts
    assert {language for _, language in recorded["parses"]} == {"tsx", "typescript"}
    assert all(0 <= query < len(recorded["queries"]) and 0 <= parse < len(recorded["parses"])
               for query, parse, _, _ in recorded["runs"])
    assert sum(matches for *_, matches in recorded["runs"]) > len(recorded["parses"])
    done = subprocess.run([sys.executable, str(script), "replay", str(project), str(work)],
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == ""
    query, parse, steps, matches = recorded["runs"][0]
    recorded["runs"][0] = [query, parse, steps, matches + 1]
    work.write_text(json.dumps(recorded))
    failed = subprocess.run([sys.executable, str(script), "replay", str(project), str(work)],
                            capture_output=True, text=True)
    assert failed.returncode != 0 and "other matches" in failed.stderr


def test_the_projects_config_leaves_build_output_and_generated_code_alone(tmp_path: Path,
                                                                          run_mutlint) -> None:
    generate(tmp_path, 150)
    unawaited = ('import { mutation } from "./_generated/server";\n'
                 "export const f = mutation({ args: {}, handler: async (ctx) => {\n"
                 "    ctx.db.patch(id, {});\n  },\n});\n")
    for relpath in ("dist/convex/f.ts", "convex/f.generated.ts", "convex/f.ts"):
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_text(unawaited, encoding="utf-8")
    code, out, err = run_mutlint("check", ".", "--no-cache", "--format", "json", cwd=tmp_path)
    assert code == 1, err
    unawaited_in = {f["path"] for f in json.loads(out)["findings"] if f["rule"] == "unawaited-convex-write"}
    assert unawaited_in == {"convex/f.ts"}
