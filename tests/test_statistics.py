"""--statistics: time per phase and per rule on stderr, the report itself unchanged."""

from __future__ import annotations

from pathlib import Path

from conftest import RunMutlint

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "onboarding-app"


def test_statistics_name_every_phase_and_rule(run_mutlint: RunMutlint):
    plain = run_mutlint("check", ".", "--format", "json", cwd=EXAMPLE)
    code, out, err = run_mutlint("check", ".", "--format", "json", "--statistics", "--no-cache",
                                 cwd=EXAMPLE)
    assert code == plain[0] == 1 and out == plain[1]
    for phase in ("discover", "load rules", "read", "parse and query", "rules", "report"):
        assert any(line.startswith(phase + " ") for line in err.splitlines()), phase
    for rule in ("parallel-mutations-same-doc", "dual-doc-patch", "missing-ttl-on-high-volume-table"):
        assert any(line.startswith(rule + " ") for line in err.splitlines()), rule
    assert "files: 23 read," in err


def test_statistics_count_the_files_taken_from_the_cache(run_mutlint: RunMutlint, tmp_path: Path):
    import shutil

    root = tmp_path / "app"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".mutlint_cache"))
    _, _, cold = run_mutlint("check", ".", "--statistics", cwd=root)
    _, _, warm = run_mutlint("check", ".", "--statistics", cwd=root)
    parsed = next(line for line in cold.splitlines() if line.startswith("files: "))
    assert ", 0 from the cache" in parsed and not parsed.startswith("files: 23 read, 0 parsed")
    assert "files: 23 read, 0 parsed, " in warm and "cache " in warm
