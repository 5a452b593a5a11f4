"""The pattern compiler: code patterns become tree-sitter queries with exact semantics."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import tree_sitter

from mutlint.rules.model import AtomQuery
from mutlint.rules.pattern import ROOT_CAPTURE, PatternError, compile_pattern
from mutlint.rules.plan import _bindings
from mutlint.source import ts_language, ts_parser

REPO = Path(__file__).resolve().parent.parent


def matches(pattern: str, code: str, language: str = "typescript", **kw) -> list[dict]:
    """Texts of the match and each binding, for every match of `pattern` in `code`."""
    compiled = compile_pattern(pattern, language, **kw)
    atom = AtomQuery(compiled.query, ROOT_CAPTURE, compiled.metavariables,
                     compiled.multi_metavariables, compiled.sequences)
    data = code.encode()
    tree = ts_parser(language).parse(data)
    query = tree_sitter.Query(ts_language(language), compiled.query)
    found = []
    for _, captures in tree_sitter.QueryCursor(query).matches(tree.root_node):
        env = _bindings(captures, atom)
        if env is None:
            continue
        texts = {name: [data[n.start_byte:n.end_byte].decode() for n in nodes]
                 for name, nodes in env.items()}
        root = captures[ROOT_CAPTURE][0]
        texts["_"] = data[root.start_byte:root.end_byte].decode()
        found.append(texts)
    return found


def test_metavariables_capture_and_literals_must_be_equal():
    found = matches("$CTX.db.patch($ID, $VALUE)",
                    "ctx.db.patch(id, {a: 1}); ctx.db.insert(id, {}); x.db.patch(a, b, c);")
    assert found == [{"CTX": ["ctx"], "ID": ["id"], "VALUE": ["{a: 1}"], "_": "ctx.db.patch(id, {a: 1})"}]


def test_argument_count_is_exact_without_ellipsis():
    assert [m["_"] for m in matches("f($A)", "f(); f(a); f(a, b);")] == ["f(a)"]
    assert [m["_"] for m in matches("f()", "f(); f(a);")] == ["f()"]


def test_ellipsis_binds_zero_or_more_siblings():
    found = matches("f($A, $$$REST)", "f(); f(a); f(a, b, c);")
    assert [(m["_"], m["REST"]) for m in found] == [("f(a)", []), ("f(a, b, c)", ["b", "c"])]
    found = matches("f($$$BEFORE, $LAST)", "f(a); f(a, b, c);")
    assert [(m["BEFORE"], m["LAST"]) for m in found] == [([], ["a"]), (["a", "b"], ["c"])]
    found = matches("f($A, $$$, $Z)", "f(a); f(a, z); f(a, b, z);")
    assert [m["_"] for m in found] == ["f(a, z)", "f(a, b, z)"]


def test_repeated_metavariable_must_bind_equal_code():
    assert [m["_"] for m in matches("$A + $A", "x + x; x + y; f(1) + f(1);")] == ["x + x", "f(1) + f(1)"]


def test_string_literals_match_whatever_the_quotes():
    found = matches('ctx.db.query("users")', "ctx.db.query('users'); ctx.db.query(\"users\"); "
                    "ctx.db.query('teams');")
    assert len(found) == 2


def test_operators_are_part_of_the_pattern():
    assert [m["_"] for m in matches("$A - $B", "a + b; a - b;")] == ["a - b"]
    assert [m["_"] for m in matches("void $X", "void f(); typeof f;")] == ["void f()"]


def test_context_and_selector_match_fragments():
    found = matches("", "const m = mutation({ args: {}, handler: async () => 1 });",
                    context="x = { handler: $H }", selector="pair")
    assert [m["H"] for m in found] == [["async () => 1"]]


def test_jsx_patterns_compile_for_tsx():
    found = matches("<button onClick={$H} />", "const b = <button onClick={save} />;", "tsx")
    assert [m["H"] for m in found] == [["save"]]


@pytest.mark.parametrize("pattern, message", [
    ("f(", "not valid"),
    ("f(); g();", "one expression or statement"),
    ("f($$$A, $$$B)", "only one `\\$\\$\\$`"),
    ("$$$A", "cannot be the whole pattern"),
])
def test_bad_patterns_are_rejected_with_a_reason(pattern, message):
    with pytest.raises(PatternError, match=message):
        compile_pattern(pattern, "typescript")


def test_every_compiled_query_is_accepted_by_tree_sitter():
    for pattern in ["$CTX.db.patch($ID, $$$REST)", "await $F($$$)", "const $H = useMutation($REF)",
                    "for (const $X of $XS) { $$$BODY }", "if ($C) { $$$ } else { $$$ }"]:
        compiled = compile_pattern(pattern, "typescript")
        assert tree_sitter.Query(ts_language("typescript"), compiled.query).pattern_count == 1


def test_rule_language_fixtures_pass():
    """User rules exercising group, raw queries, focus, has/inside with stopBy."""
    done = subprocess.run([sys.executable, "-m", "mutlint", "test",
                           str(REPO / "tests" / "fixtures" / "rule-language")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1].endswith(", 0 failed")


def test_mutlint_test_reports_missing_and_unexpected_findings(tmp_path):
    rule_dir = tmp_path / "rules"
    (rule_dir / "no-eval").mkdir(parents=True)
    (rule_dir / "no-eval.yaml").write_text(
        "id: no-eval\nseverity: error\nmessage: eval\n"
        "description: |\n  ## What it finds\n  eval.\n"
        "rule:\n  pattern: eval($X)\n")
    (rule_dir / "no-eval" / "a.ts").write_text(
        "// ruleid: no-eval\nfoo(1);\n// ok: no-eval\neval(2);\neval(3);\n")
    done = subprocess.run([sys.executable, "-m", "mutlint", "test", str(rule_dir)],
                          capture_output=True, text=True)
    assert done.returncode == 1
    out = done.stdout
    assert "a.ts:2: missing finding: no-eval" in out
    assert "a.ts:4: unexpected finding (marked ok): no-eval" in out
    assert "a.ts:5: unexpected finding: no-eval" in out
    assert out.strip().splitlines()[-1] == "0 passed, 3 failed"
