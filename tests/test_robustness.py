"""Crash isolation, resource limits, the trust boundary, output safety and concurrent runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import MakeProject, RunMutlint

from mutlint import facts, source
from mutlint.cli import main

GOOD = ('import { mutation } from "./_generated/server";\n'
        "export const f = mutation({ args: {}, handler: async (ctx) => {\n"
        "    ctx.db.patch(id, {});\n  },\n});\n")
RULE_HEAD = ("severity: warning\nmessage: m\ndescription: |\n  ## What it finds\n  x\n")


def run_in_process(capsys, root: Path, *args: str) -> tuple[int, str, str]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        code = main(list(args))
    finally:
        os.chdir(cwd)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def exploding_fact():
    def compute(project, file, node):
        if b"boom" in file.data[node.start_byte:node.end_byte]:
            raise RuntimeError("the fact blew up")
        return {"value": "ok"}

    facts.register_fact(facts.FactSpec("test-explode", "raises on 'boom'", ("value",), "value", compute))
    yield
    facts.FACTS.pop("test-explode", None)


def test_a_failing_rule_is_reported_and_the_rest_completes(capsys, make_project: MakeProject,
                                                           exploding_fact):
    root = make_project({
        "convex/a.ts": GOOD + "boom();\n", "convex/b.ts": GOOD.replace("f =", "g ="),
        "rules/explode.yaml": "id: explode\n" + RULE_HEAD +
                              "rule:\n  pattern: $F()\nfacts:\n  X:\n    fact: test-explode\n"})
    code, out, err = run_in_process(capsys, root, "check", ".", "--rules", "rules", "--format", "json")
    assert code == 2
    report = json.loads(out)
    assert [(f["rule"], f["path"]) for f in report["findings"]] == [
        ("unawaited-convex-write", "convex/a.ts"), ("unawaited-convex-write", "convex/b.ts")]
    assert ("convex/a.ts: internal error in rule explode; its findings in this file are missing: "
            "RuntimeError: the fact blew up") in err
    assert "the report above is incomplete (exit 2)" in err
    assert "Traceback" not in err
    code, _, err = run_in_process(capsys, root, "check", ".", "--rules", "rules", "--debug")
    assert code == 2 and "Traceback (most recent call last)" in err


def test_a_file_that_fails_to_load_is_reported(capsys, make_project: MakeProject, monkeypatch):
    root = make_project({"convex/a.ts": GOOD, "convex/b.ts": GOOD.replace("f =", "g =")})
    real = source.parse_source

    def parse(data, path, relpath, language):
        if relpath.endswith("a.ts"):
            raise MemoryError("pretend the parser ran out of memory")
        return real(data, path, relpath, language)

    monkeypatch.setattr(source, "parse_source", parse)
    code, out, err = run_in_process(capsys, root, "check", ".", "--format", "json")
    assert code == 2
    assert [f["path"] for f in json.loads(out)["findings"]] == ["convex/b.ts"]
    assert "convex/a.ts: internal error while reading the file; no rule ran on it: MemoryError" in err


def test_config_paths_cannot_leave_the_project(run_mutlint: RunMutlint, make_project: MakeProject):
    root = make_project({"convex/a.ts": GOOD,
                         ".mutlint.yaml": "extra-rules:\n  - ../../etc\nconvex-dir: /tmp\n"})
    code, out, err = run_mutlint("check", ".", cwd=root)
    assert code == 2 and out == ""
    assert ".mutlint.yaml:1:12: 'convex-dir'" not in err
    assert ".mutlint.yaml:2:5: '../../etc' is outside the project" in err
    assert ".mutlint.yaml:3:13: '/tmp' is outside the project" in err


@pytest.mark.parametrize("where", [".mutlint.yaml", "rules/evil.yaml"])
def test_yaml_cannot_run_code(run_mutlint: RunMutlint, make_project: MakeProject, where: str,
                              tmp_path: Path):
    marker = tmp_path / "pwned"
    payload = f"!!python/object/apply:os.system ['touch {marker}']\n"
    if where == ".mutlint.yaml":
        text = f"exclude: {payload}"
    else:
        text = "id: evil\n" + RULE_HEAD + f"rule: {payload}"
    root = make_project({"convex/a.ts": GOOD, where: text})
    extra = ["--rules", "rules"] if where.startswith("rules") else []
    code, _, err = run_mutlint("check", ".", *extra, cwd=root)
    assert code == 2 and not marker.exists()
    assert f"{where}:" in err and "unsupported YAML tag tag:yaml.org,2002:python/object/apply" in err


@pytest.mark.parametrize("rule", [
    "rule:\n  pattern: $F($$$A)\nconstraints:\n  F:\n    regex: ^(a|aa)+$\n",
    'rule:\n  query: ((identifier) @match (#match? @match "^(a|aa)+$"))\n',
])
def test_catastrophic_regexes_are_stopped(run_mutlint: RunMutlint, make_project: MakeProject,
                                          rule: str):
    slow = "a" * 3000 + "b"  # exponential for (a|aa)+ without a time limit
    root = make_project({"convex/a.ts": f"{slow}();\n" + GOOD * 8,
                         "rules/slow.yaml": "id: slow\n" + RULE_HEAD + rule})
    code, _, err = run_mutlint("check", ".", "--rules", "rules", cwd=root, timeout=60)
    assert code == 2
    assert "convex/a.ts: internal error in rule slow" in err
    assert "took longer than 0.25 s and was stopped" in err


def test_a_regex_slow_on_every_line_has_a_budget_for_the_run(run_mutlint: RunMutlint,
                                                              make_project: MakeProject):
    """Under the per-search limit on each call (about 0.1 s on 30 characters), but 400 calls:
    without a budget for the whole run this took a minute."""
    lines = "".join(f"{'a' * 26}b{index}();\n" for index in range(400))
    rule = "rule:\n  pattern: $F($$$A)\nconstraints:\n  F:\n    regex: ^(a|aa)+$\n"
    root = make_project({"convex/a.ts": lines + GOOD,
                         "rules/slow.yaml": "id: slow\n" + RULE_HEAD + rule})
    started = time.monotonic()
    code, _, err = run_mutlint("check", ".", "--rules", "rules", cwd=root, timeout=120)
    assert time.monotonic() - started < 30
    assert code == 2
    assert "has used its 5.0 s for this run and was stopped" in err


NAMES = ["app/my page.tsx", "app/100%,a:b.tsx", "app/ünï©ode.tsx", "app/new\nline.tsx",
         "app/tab\there\x1b[31m.tsx"]
PAGE = ('"use client";\nimport { useMutation } from "convex/react";\n'
        'import { api } from "../convex/_generated/api";\n'
        "export function P() {\n  const s = useMutation(api.notes.save);\n"
        '  async function go() {\n    await s({});\n    await s({});\n  }\n  return go;\n}\n')
NOTES = ('import { mutation } from "./_generated/server";\n'
         "export const save = mutation({ args: {}, handler: async (ctx) => {\n"
         "    const me = await ctx.auth.getUserIdentity();\n"
         "    await ctx.db.patch(me!.subject as any, {});\n  },\n});\n")


def test_awkward_file_names_give_valid_output_in_every_format(run_mutlint: RunMutlint,
                                                               make_project: MakeProject):
    root = make_project({"convex/notes.ts": NOTES, **dict.fromkeys(NAMES, PAGE)})
    code, out, _ = run_mutlint("check", ".", "--no-color", cwd=root)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == len(NAMES) + 1 and all("\x1b" not in line for line in lines)
    assert any(line.startswith("app/new\\nline.tsx:8:") for line in lines)
    assert any(line.startswith("app/tab\\there\\x1b[31m.tsx:8:") for line in lines)
    data = json.loads(run_mutlint("check", ".", "--format", "json", cwd=root)[1])
    assert sorted(f["path"] for f in data["findings"]) == sorted(NAMES)
    sarif = json.loads(run_mutlint("check", ".", "--format", "sarif", cwd=root)[1])
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                  for r in sarif["runs"][0]["results"])
    assert "app/new%0Aline.tsx" in uris and "app/100%25%2Ca%3Ab.tsx" in uris
    assert all(" " not in uri and "\n" not in uri for uri in uris)
    github = run_mutlint("check", ".", "--format", "github", cwd=root)[1].splitlines()
    assert len(github) == len(NAMES) and all(line.startswith("::warning file=") for line in github)
    assert any("file=app/new%0Aline.tsx," in line for line in github)


def test_two_runs_at_once_both_complete(make_project: MakeProject):
    root = make_project({"convex/notes.ts": NOTES, **{f"app/p{i}.tsx": PAGE for i in range(40)}})
    command = [sys.executable, "-m", "mutlint", "check", ".", "--format", "json"]
    first = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out1, _ = first.communicate(timeout=120)
    out2, _ = second.communicate(timeout=120)
    assert first.returncode == second.returncode == 1
    assert out1 == out2 and len(json.loads(out1)["findings"]) == 40


def test_symlinks_are_not_followed(run_mutlint: RunMutlint, make_project: MakeProject, tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.ts").write_text(GOOD, encoding="utf-8")
    root = make_project({"convex/a.ts": GOOD})
    (root / "convex" / "loop").symlink_to(root / "convex", target_is_directory=True)
    (root / "convex" / "out").symlink_to(outside, target_is_directory=True)
    (root / "convex" / "secret.ts").symlink_to(outside / "secret.ts")
    code, out, err = run_mutlint("check", ".", "--format", "json", cwd=root, timeout=60)
    assert code == 1
    assert [f["path"] for f in json.loads(out)["findings"]] == ["convex/a.ts"]


def test_config_and_rule_files_linked_out_of_the_project_are_not_read(
        run_mutlint: RunMutlint, make_project: MakeProject, tmp_path: Path):
    """A pull request can commit a symbolic link to a file on the CI runner; reading it would
    print its keys in the 'unknown key' error."""
    secret = tmp_path / "outside" / "credentials.yaml"
    secret.parent.mkdir()
    secret.write_text("aws_secret_access_key: AKIAEXAMPLE\n", encoding="utf-8")
    root = make_project({"convex/a.ts": GOOD, "rules/inside.yaml": "not: a rule\n"})
    (root / ".mutlint.yaml").symlink_to(secret)
    code, out, err = run_mutlint("check", ".", cwd=root)
    assert (code, out) == (2, "") and "AKIAEXAMPLE" not in err and "aws_secret" not in err
    assert err.strip() == ".mutlint.yaml: a config file that is a symbolic link out of the " \
                          "project; refusing to read it"
    (root / ".mutlint.yaml").unlink()
    (root / ".mutlint.yaml").write_text("extra-rules: [myrules]\n", encoding="utf-8")
    (root / "myrules").mkdir()
    (root / "myrules" / "evil.yaml").symlink_to(secret)
    code, out, err = run_mutlint("check", ".", cwd=root)
    assert (code, out) == (2, "") and "aws_secret" not in err
    assert "myrules/evil.yaml: a rule file that is a symbolic link out of the project" in err
    # Near miss: a link that stays inside the project is an ordinary file.
    (root / "myrules" / "evil.yaml").unlink()
    (root / "myrules" / "alias.yaml").symlink_to(root / "rules" / "inside.yaml")
    code, _, err = run_mutlint("check", ".", cwd=root)
    assert code == 2 and "myrules/alias.yaml:1:1: unknown key 'not'" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_skipped_not_read(run_mutlint: RunMutlint, make_project: MakeProject):
    root = make_project({"convex/a.ts": GOOD})
    os.mkfifo(root / "convex" / "pipe.ts")
    code, out, err = run_mutlint("check", "convex/pipe.ts", "convex/a.ts", cwd=root, timeout=30)
    assert code == 1 and "convex/a.ts:" in out
    assert "convex/pipe.ts: skipped: not a regular file" in err
