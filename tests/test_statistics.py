"""--statistics: time per phase and per rule on stderr, the report itself unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunMutlint

from mutlint.statistics import NoStatistics

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


def test_statistics_count_a_file_parsed_only_for_another_files_facts(run_mutlint: RunMutlint,
                                                                     tmp_path: Path):
    """crons.ts holds no rule's token, so its own check needs no parse; the retention fact of
    the schema's check parses it for its jobs. Its own check counts as skipped by the
    prefilter, and the parse in the total."""
    (tmp_path / "convex").mkdir()
    (tmp_path / "convex" / "schema.ts").write_text(
        'import { defineSchema, defineTable } from "convex/server";\n'
        'import { v } from "convex/values";\n'
        'export default defineSchema({ logs: defineTable({ at: v.number() }) });\n')
    (tmp_path / "convex" / "logs.ts").write_text(
        'import { mutation } from "./_generated/server";\n'
        'export const add = mutation({ args: {}, handler: async (ctx) => {\n'
        '  await ctx.db.insert("logs", { at: Date.now() });\n} });\n')
    (tmp_path / "convex" / "crons.ts").write_text(
        'import { cronJobs } from "convex/server";\n'
        'import { internal } from "./_generated/api";\n'
        'const crons = cronJobs();\n'
        'crons.daily("prune", { hourUTC: 3, minuteUTC: 0 }, internal.logs.prune, {});\n'
        'export default crons;\n')
    _, _, err = run_mutlint("check", ".", "--statistics", "--no-cache", cwd=tmp_path)
    counts = next(line for line in err.splitlines() if line.startswith("files: "))
    assert counts.startswith("files: 3 read, 2 parsed, 0 from the cache, 1 skipped by the prefilter ")
    assert "; 3 parses in all" in counts, counts


def test_untimed_phases_record_nothing_and_let_exceptions_through():
    stats = NoStatistics()
    with stats.phase("read"), stats.rule("some-rule"):
        pass
    assert not stats.phases and not stats.rules
    with pytest.raises(ValueError, match="from inside"):
        with stats.phase("rules"):
            raise ValueError("from inside")
