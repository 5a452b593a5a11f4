"""Broken inputs give a clear one-line message and the right exit code, never a traceback."""

from __future__ import annotations

import json
import re
import time

import pytest
from conftest import MUTATION_HEADER, MakeProject, RunMutlint, mutation_source

GOOD_FILE = MUTATION_HEADER + "\n" + mutation_source("f", "    ctx.db.patch(id, {});")
RULE = """\
id: my-rule
severity: warning
message: "call to foo"
description: "Finds foo."
"""


def assert_no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert "internal error" not in stderr, stderr


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def check_with_rule(run_mutlint: RunMutlint, make_project: MakeProject,
                    rule_text: str) -> tuple[int, str, str]:
    root = make_project({"convex/a.ts": GOOD_FILE, "myrules/my-rule.yaml": rule_text})
    return run_mutlint("check", ".", "--rules", "myrules", cwd=root)


# -- rule files ----------------------------------------------------------------------------


def test_rule_file_with_invalid_yaml(run_mutlint: RunMutlint, make_project: MakeProject):
    text = "id: my-rule\nseverity: warning\nmessage: a: b\ndescription: d\n"
    code, stdout, stderr = check_with_rule(run_mutlint, make_project, text)
    assert code == 2
    assert_no_traceback(stderr)
    assert stdout == ""
    assert error_lines(stderr) == [
        "myrules/my-rule.yaml:3:11: invalid YAML: mapping values are not allowed here"]


def test_rule_with_unknown_top_level_key(run_mutlint: RunMutlint, make_project: MakeProject):
    text = RULE + "bogus-key: 1\nrule:\n  pattern: foo()\n"
    code, _, stderr = check_with_rule(run_mutlint, make_project, text)
    assert code == 2
    assert_no_traceback(stderr)
    [line] = error_lines(stderr)
    assert re.match(r"^myrules/my-rule\.yaml:5:1: unknown key 'bogus-key'", line), line


def test_rule_with_unknown_fact(run_mutlint: RunMutlint, make_project: MakeProject):
    text = RULE + "rule:\n  pattern: foo($X)\nfacts:\n  FN:\n    fact: no-such-fact\n"
    code, _, stderr = check_with_rule(run_mutlint, make_project, text)
    assert code == 2
    assert_no_traceback(stderr)
    [line] = error_lines(stderr)
    assert re.match(r"^myrules/my-rule\.yaml:9:\d+: unknown fact 'no-such-fact'", line), line
    assert "convex-function" in line  # names the facts that exist


def test_raw_query_with_unknown_predicate(run_mutlint: RunMutlint, make_project: MakeProject):
    query = '((call_expression function: (identifier) @F) @match (#foo? @F "x"))'
    text = RULE + f"rule:\n  query: |\n    {query}\n"
    code, _, stderr = check_with_rule(run_mutlint, make_project, text)
    assert code == 2
    assert_no_traceback(stderr)
    [line] = error_lines(stderr)
    assert re.match(r"^myrules/my-rule\.yaml:6:\d+: unknown predicate #foo\?", line), line


def test_constraint_with_invalid_regex(run_mutlint: RunMutlint, make_project: MakeProject):
    text = RULE + 'rule:\n  pattern: foo($X)\nconstraints:\n  X:\n    regex: "([a-z"\n'
    code, _, stderr = check_with_rule(run_mutlint, make_project, text)
    assert code == 2
    assert_no_traceback(stderr)
    [line] = error_lines(stderr)
    assert re.match(r"^myrules/my-rule\.yaml:9:\d+: invalid regex '\(\[a-z'", line), line


def test_rule_with_unknown_kind(run_mutlint: RunMutlint, make_project: MakeProject):
    text = RULE + "rule:\n  kind: not_a_kind\n"
    code, _, stderr = check_with_rule(run_mutlint, make_project, text)
    assert code == 2
    assert_no_traceback(stderr)
    [line] = error_lines(stderr)
    assert re.match(r"^myrules/my-rule\.yaml:6:\d+: .*not_a_kind", line), line


def test_yaml_alias_bomb_is_refused_quickly(run_mutlint: RunMutlint, make_project: MakeProject):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    root = make_project({"convex/a.ts": GOOD_FILE,
                         "myrules/bomb.yaml": "\n".join(lines) + "\n"})
    started = time.monotonic()
    code, stdout, stderr = run_mutlint("check", ".", "--rules", "myrules", cwd=root, timeout=60)
    assert time.monotonic() - started < 20
    assert code == 2
    assert_no_traceback(stderr)
    assert stdout == ""
    [line] = error_lines(stderr)
    assert re.match(r"^myrules/bomb\.yaml:\d+:\d+: .*aliases", line), line


def test_deeply_nested_yaml_is_refused_with_its_position(run_mutlint: RunMutlint,
                                                         make_project: MakeProject):
    """PyYAML composes recursively: 500 levels used to end in a RecursionError."""
    deep = "[" * 500 + "]" * 500
    root = make_project({"convex/a.ts": GOOD_FILE, ".mutlint.yaml": f"exclude: {deep}\n",
                         "myrules/deep.yaml": f"{RULE}rule:\n  pattern: {deep}\n"})
    code, stdout, stderr = run_mutlint("check", ".", cwd=root)
    assert code == 2 and stdout == ""
    assert_no_traceback(stderr)
    assert error_lines(stderr) == [".mutlint.yaml:1:73: nesting deeper than 64 levels"]
    (root / ".mutlint.yaml").unlink()
    code, _, stderr = run_mutlint("check", ".", "--rules", "myrules", cwd=root)
    assert code == 2
    assert_no_traceback(stderr)
    [line] = error_lines(stderr)
    assert re.match(r"^myrules/deep\.yaml:\d+:\d+: nesting deeper than 64 levels$", line), line


# -- source files --------------------------------------------------------------------------


def test_syntax_error_in_one_function_keeps_findings_in_another(
        run_mutlint: RunMutlint, make_project: MakeProject):
    source = (MUTATION_HEADER + "\n"
              + mutation_source("broken", "    ctx.db.patch(")
              + "\n"
              + mutation_source("good", "    ctx.db.patch(id, {});"))
    root = make_project({"convex/a.ts": source})
    code, stdout, stderr = run_mutlint("check", ".", "--format", "json", cwd=root)
    assert code == 1
    assert_no_traceback(stderr)
    findings = json.loads(stdout)["findings"]
    by_rule = {f["rule"]: f for f in findings}
    assert set(by_rule) == {"parse-error", "unawaited-convex-write"}
    assert by_rule["parse-error"]["severity"] == "note"
    assert by_rule["parse-error"]["path"] == "convex/a.ts"
    good = by_rule["unawaited-convex-write"]
    assert good["path"] == "convex/a.ts"
    assert good["start"]["line"] == source.splitlines().index("    ctx.db.patch(id, {});") + 1
    assert "good" in good["message"]


@pytest.mark.parametrize(("content", "reason"), [
    (b"const a = 1;\n// \xff\xfe not utf-8\nconst b = 2;\n", "not valid UTF-8"),
    (b"\x00\x01\x02\x03binary\x00data\n", "binary file"),
    (b"", "empty file"),
    (b"  \n\n", "empty file"),
    (b" \t\r\n\x0b\x0c", "empty file"),
], ids=["non-utf8", "binary", "empty", "blank", "every-blank"])
def test_unreadable_file_is_skipped_and_others_linted(
        run_mutlint: RunMutlint, make_project: MakeProject, content: bytes, reason: str):
    root = make_project({"convex/bad.ts": content, "convex/good.ts": GOOD_FILE})
    code, stdout, stderr = run_mutlint("check", ".", "--format", "json", cwd=root)
    assert code == 1
    assert_no_traceback(stderr)
    [line] = error_lines(stderr)
    assert line.startswith("convex/bad.ts: skipped: " + reason), line
    report = json.loads(stdout)
    assert [f["path"] for f in report["findings"]] == ["convex/good.ts"]
    assert report["findings"][0]["rule"] == "unawaited-convex-write"
    assert [s["path"] for s in report["skipped"]] == ["convex/bad.ts"]
    assert report["summary"]["files"] == 1


def test_non_utf8_message_gives_the_line(run_mutlint: RunMutlint, make_project: MakeProject):
    root = make_project({"convex/bad.ts": b"const a = 1;\nconst b = 2;\n// \xff\xfe\n"})
    code, _, stderr = run_mutlint("check", ".", cwd=root)
    assert code == 0
    assert_no_traceback(stderr)
    assert error_lines(stderr) == ["convex/bad.ts: skipped: not valid UTF-8 (byte 0xff on "
                                   "line 3); save the file as UTF-8 to lint it"]


def test_only_an_empty_file_exits_zero(run_mutlint: RunMutlint, make_project: MakeProject):
    root = make_project({"convex/empty.ts": ""})
    code, stdout, stderr = run_mutlint("check", ".", "--format", "json", cwd=root)
    assert code == 0
    assert_no_traceback(stderr)
    assert error_lines(stderr) == ["convex/empty.ts: skipped: empty file"]
    report = json.loads(stdout)
    assert report["findings"] == []
    assert report["summary"]["files"] == 0


DEPTH = 20_000


def test_deeply_nested_expressions_complete(run_mutlint: RunMutlint, make_project: MakeProject):
    files: dict[str, str | bytes] = {
        "convex/parens.ts": "const x = " + "(" * DEPTH + "1" + ")" * DEPTH + ";\n",
        "convex/array.ts": "const y = " + "[" * DEPTH + "1" + "]" * DEPTH + ";\n",
        "convex/calls.ts": "const z = f" + "(g" * DEPTH + ")" * DEPTH + ";\n",
        "convex/good.ts": GOOD_FILE,
        # One-line files this long look minified; lint them anyway to exercise the parser.
        ".mutlint.yaml": "lint-generated: true\n",
    }
    root = make_project(files)
    code, stdout, stderr = run_mutlint("check", ".", "--format", "json", cwd=root, timeout=300)
    assert_no_traceback(stderr)
    assert code == 1
    report = json.loads(stdout)
    assert [(f["rule"], f["path"]) for f in report["findings"]] == [
        ("unawaited-convex-write", "convex/good.ts")]
    assert report["summary"]["files"] + len(report["skipped"]) == 4


def test_deep_nesting_inside_a_handler_still_finds(run_mutlint: RunMutlint,
                                                   make_project: MakeProject):
    body = "    const x = " + "(" * DEPTH + "1" + ")" * DEPTH + ";\n    ctx.db.patch(id, {});"
    root = make_project({"convex/a.ts": MUTATION_HEADER + mutation_source("f", body),
                         ".mutlint.yaml": "lint-generated: true\n"})
    code, stdout, stderr = run_mutlint("check", ".", "--format", "json", cwd=root, timeout=300)
    assert_no_traceback(stderr)
    assert code == 1
    [finding] = json.loads(stdout)["findings"]
    assert finding["rule"] == "unawaited-convex-write"
    assert finding["start"]["line"] == 6


def test_long_method_call_chain_is_linted(run_mutlint: RunMutlint, make_project: MakeProject):
    # Query matching grows with the square of a call chain's length (tree-sitter's matcher);
    # 2,000 links is far beyond hand-written code and still fast. Longer chains are hostile
    # or minified input, which the robustness work (size limits, minified-file detection) covers.
    root = make_project({"convex/chain.ts": "const w = a" + ".b()" * 2000 + ";\n",
                         ".mutlint.yaml": "lint-generated: true\n"})
    code, stdout, stderr = run_mutlint("check", ".", "--format", "json", cwd=root, timeout=60)
    assert_no_traceback(stderr)
    assert code == 0
    assert json.loads(stdout)["summary"]["files"] == 1


def test_minified_and_generated_files_are_skipped_by_default(run_mutlint: RunMutlint,
                                                             make_project: MakeProject):
    root = make_project({
        "convex/chain.ts": "const w = a" + ".b()" * 20_000 + ";\n",  # 80 KB on one line
        "convex/gen.ts": "// @generated by a tool. DO NOT EDIT.\n" + GOOD_FILE,
        "convex/good.ts": GOOD_FILE,
    })
    code, stdout, stderr = run_mutlint("check", ".", "--format", "json", cwd=root, timeout=60)
    assert code == 1
    report = json.loads(stdout)
    assert [f["path"] for f in report["findings"]] == ["convex/good.ts"]
    assert report["skipped"] == [
        {"path": "convex/chain.ts", "message": "skipped: minified (80013 bytes on 2 lines); "
                                                "set lint-generated: true to lint it"},
        {"path": "convex/gen.ts", "message": "skipped: generated (its header says \"@generated\"); "
                                             "set lint-generated: true to lint it"}]


def test_a_long_prompt_string_is_not_mistaken_for_minified_code(run_mutlint: RunMutlint,
                                                                make_project: MakeProject):
    prompt = "You are a careful assistant. Answer in short sentences and cite the docs. " * 110
    source = GOOD_FILE.replace("export const", f'const PROMPT = "{prompt}";\nexport const', 1)
    assert len(source) > 8000 and source.count("\n") < 30
    root = make_project({"convex/ai.ts": source})
    code, stdout, stderr = run_mutlint("check", ".", "--format", "json", cwd=root)
    assert code == 1 and "skipped" not in stderr
    assert [f["path"] for f in json.loads(stdout)["findings"]] == ["convex/ai.ts"]


def _generated_reason_in_full(data: bytes) -> str | None:
    """source.generated_reason as it reads, with no step cut short."""
    from mutlint.source import (
        GENERATED_MARKERS,
        MINIFIED_BYTES_PER_LINE,
        MINIFIED_MAX_WHITESPACE,
        MINIFIED_MIN_BYTES,
    )

    header = data[:1024].lower()
    for marker in GENERATED_MARKERS:
        if marker in header:
            return f"generated (its header says \"{marker.decode()}\")"
    lines = data.count(b"\n") + 1
    if len(data) >= MINIFIED_MIN_BYTES and len(data) / lines > MINIFIED_BYTES_PER_LINE and \
            (data.count(b" ") + data.count(b"\t") + lines) / len(data) < MINIFIED_MAX_WHITESPACE:
        return f"minified ({len(data)} bytes on {lines} line{'s' if lines != 1 else ''})"
    return None


def test_generated_reason_cut_short_says_what_the_full_reading_says():
    """Its header test and its line count stop early where the answer is known: the same
    answer, on files around every threshold (sizes, line lengths, white space, markers in any
    case and at the header's edge)."""
    import random

    from mutlint.source import generated_reason

    rng = random.Random(7)
    markers = ["@Generated", "DO NOT EDIT", "Auto-Generated", "autogenerated", "generated by",
               "do not", "automatically  generated"]
    answers = set()
    for _ in range(3000):
        size = rng.choice([100, 4999, 5000, 5001, 8000, 20000, 60000])
        line = rng.choice([20, 60, 200, 249, 250, 251, 400, 5000, 10 ** 6])
        spaces = rng.choice([0.0, 0.02, 0.079, 0.08, 0.2])
        chars = ["x" if rng.random() >= spaces else rng.choice(" \t") for _ in range(size)]
        for at in range(line, size, line):
            chars[at] = "\n"
        if rng.random() < 0.3:
            marker, at = rng.choice(markers), rng.choice([0, 500, 1024 - 11, 1030])
            chars[at:at + len(marker)] = marker
        data = "".join(chars).encode()
        expected = _generated_reason_in_full(data)
        assert generated_reason(data) == expected, (size, line, spaces)
        answers.add(expected.split(" ")[0] if expected else None)
    assert answers == {None, "generated", "minified"}


def test_files_over_the_size_limit_are_skipped(run_mutlint: RunMutlint, make_project: MakeProject):
    root = make_project({"convex/big.ts": GOOD_FILE + "// padding\n" * 200,
                         "convex/good.ts": GOOD_FILE, ".mutlint.yaml": "max-file-size: 1000\n"})
    code, stdout, stderr = run_mutlint("check", ".", "--format", "json", cwd=root)
    report = json.loads(stdout)
    assert [f["path"] for f in report["findings"]] == ["convex/good.ts"]
    assert report["skipped"] == [{"path": "convex/big.ts",
                                  "message": "skipped: larger than 1000 bytes (max-file-size)"}]
    assert "convex/big.ts: skipped: larger than 1000 bytes" in stderr


# -- command line and config ---------------------------------------------------------------


@pytest.mark.parametrize("args", [["check", "--bogus", "."], ["--bogus"]])
def test_unknown_cli_option(run_mutlint: RunMutlint, make_project: MakeProject,
                            args: list[str]):
    root = make_project({"convex/a.ts": GOOD_FILE})
    code, stdout, stderr = run_mutlint(*args, cwd=root)
    assert code == 2
    assert_no_traceback(stderr)
    assert stdout == ""
    [line] = error_lines(stderr)
    assert "unrecognized arguments: --bogus" in line


def test_usage_error_prefix_is_not_doubled(run_mutlint: RunMutlint, make_project: MakeProject):
    root = make_project({"convex/a.ts": GOOD_FILE})
    code, _, stderr = run_mutlint("check", "--bogus", ".", cwd=root)
    assert code == 2
    [line] = error_lines(stderr)
    assert line.startswith("mutlint: ") and not line.startswith("mutlint: mutlint:"), line


def test_config_with_unknown_key(run_mutlint: RunMutlint, make_project: MakeProject):
    root = make_project({"convex/a.ts": GOOD_FILE,
                         ".mutlint.yaml": "convex-dir: convex\nbogus-key: 1\n"})
    code, stdout, stderr = run_mutlint("check", ".", cwd=root)
    assert code == 2
    assert_no_traceback(stderr)
    assert stdout == ""
    [line] = error_lines(stderr)
    assert line.startswith(".mutlint.yaml:2:1: unknown key 'bogus-key'"), line


def test_explicit_config_with_unknown_key(run_mutlint: RunMutlint, make_project: MakeProject):
    root = make_project({"convex/a.ts": GOOD_FILE, "cfg/lint.yaml": "exclude: []\nnope: 1\n"})
    code, _, stderr = run_mutlint("check", "convex", "--config", "cfg/lint.yaml", cwd=root)
    assert code == 2
    assert_no_traceback(stderr)
    [line] = error_lines(stderr)
    assert line.startswith("cfg/lint.yaml:2:1: unknown key 'nope'"), line


def test_skipped_files_are_named_as_the_findings_are(run_mutlint: RunMutlint,
                                                    make_project: MakeProject):
    root = make_project({"convex/a.ts": GOOD_FILE, "convex/bin.ts": b"\x00\x01db"})
    code, stdout, stderr = run_mutlint("check", root.name, cwd=root.parent)
    assert code == 1 and f"{root.name}/convex/a.ts:" in stdout
    assert f"{root.name}/convex/bin.ts: skipped: binary file" in stderr


def test_rule_whose_exclusive_is_not_a_branch_path(run_mutlint: RunMutlint, make_project: MakeProject):
    text = RULE + ("rule:\n  pattern: foo($X)\nfacts:\n  FN:\n    fact: convex-function\n"
                   "group:\n  scope: project\n  by: [FN.id]\n  exclusive: FN.name\n")
    code, _, stderr = check_with_rule(run_mutlint, make_project, text)
    assert code == 2
    assert_no_traceback(stderr)
    [line] = error_lines(stderr)
    assert re.match(r"^myrules/my-rule\.yaml:13:\d+: exclusive needs a branch-path fact; "
                    r"FN is convex-function", line), line


def test_a_handler_that_is_no_function_is_no_unit_of_the_call_graph(run_mutlint: RunMutlint,
                                                                      make_project: MakeProject):
    """A handler wrapped in a call, and one half typed (`handler: async (ctx,` parses as a call
    of `async`), each calling a helper with ctx: the call graph's edges are worked out per
    unit, and such a handler is none, so no rule fails on them (a handler like these once made
    every rule that asks the graph fail with an internal error)."""
    # A helper that writes: its findings need the call graph (who calls it), whose edges
    # are read from every file of the functions dir.
    helper = ('export async function requireUser(ctx) { return await ctx.db.get("u"); }\n'
              "export async function touchTwice(ctx, id) {\n"
              "  await ctx.db.patch(id, { a: 1 });\n  await ctx.db.patch(id, { b: 2 });\n}\n")
    header = ('import { mutation } from "./_generated/server";\n'
              'import { requireUser } from "./lib/auth";\n')
    root = make_project({
        "convex/lib/auth.ts": helper,
        "convex/wrapped.ts": header + 'import { withUser } from "./lib/wrap";\n'
        "export const touch = mutation({ args: {}, handler: withUser(async (ctx, args) => {\n"
        "  const user = await requireUser(ctx);\n"
        "  await ctx.db.patch(user._id, { seen: 1 });\n"
        "}) });\n",
        "convex/torn.ts": header + "export const touch = mutation({ args: {}, handler: async (ctx,\n"
        "  const user = await requireUser(ctx);\n"
        "  await ctx.db.patch(user._id, { seen: 1 });\n"
        "  },\n});\n",
        "convex/lib/wrap.ts": "export const withUser = (f) => f;\n",
        "convex/good.ts": GOOD_FILE,
    })
    code, stdout, stderr = run_mutlint("check", ".", "--format", "json", cwd=root)
    assert_no_traceback(stderr)
    assert code == 1
    assert ("unawaited-convex-write", "convex/good.ts") in \
        [(f["rule"], f["path"]) for f in json.loads(stdout)["findings"]]
