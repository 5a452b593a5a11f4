"""--statistics: time per phase and per rule on stderr, the report itself unchanged."""

from __future__ import annotations

from pathlib import Path

from conftest import RunMutlint

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "onboarding-app"


def test_statistics_name_every_phase_and_rule(run_mutlint: RunMutlint):
    plain = run_mutlint("check", ".", "--format", "json", cwd=EXAMPLE)
    code, out, err = run_mutlint("check", ".", "--format", "json", "--statistics", cwd=EXAMPLE)
    assert code == plain[0] == 1 and out == plain[1]
    for phase in ("discover", "load rules", "read", "parse and query", "rules", "report"):
        assert any(line.startswith(phase + " ") for line in err.splitlines()), phase
    for rule in ("parallel-mutations-same-doc", "dual-doc-patch", "missing-ttl-on-high-volume-table"):
        assert any(line.startswith(rule + " ") for line in err.splitlines()), rule
    assert "files: 23 read," in err
