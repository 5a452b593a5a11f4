"""mutlint's own regexes compile on their first search, not when their module is imported: the
same answers as re, and a check of a page compiles none of those it has no use for."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutlint.findings import normalised_code
from mutlint.lazy_regex import LazyRegex
from mutlint.report import printable

PATTERNS = [
    (r"^\s*Id<\s*[\"'](\w+)[\"']\s*>", 0, ['Id<"users">', " Id<'t'>", "Id<x>", ""]),
    (r"(log|event)", re.IGNORECASE, ["auditLog", "EVENTS", "users", "x\nlog"]),
    (r"^\s*//(?P<rest>.*?)$", re.DOTALL, ["// a\nb", "x // a", "//"]),
    (r"[\x00-\x1f\x7f\u2028\u2029]", 0, ["a\tb\u2028c", "plain", "\x7f"]),
]


def shown(match: re.Match[str] | None):
    return match and (match.span(), match.groups())


@pytest.mark.parametrize(("pattern", "flags", "subjects"), PATTERNS)
def test_answers_as_the_compiled_regex(pattern: str, flags: int, subjects: list[str]) -> None:
    lazy, compiled = LazyRegex(pattern, flags), re.compile(pattern, flags)
    for text in subjects:
        assert shown(lazy.match(text)) == shown(compiled.match(text))
        assert shown(lazy.search(text)) == shown(compiled.search(text))
        assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
        assert lazy.sub("<>", text) == compiled.sub("<>", text)
        assert lazy.sub(lambda m: m.group().upper(), text) == compiled.sub(lambda m: m.group().upper(), text)


def test_compiles_once_and_only_when_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    real = re.compile

    def counting(pattern, flags=0):
        compiled.append(pattern)
        return real(pattern, flags)

    monkeypatch.setattr(re, "compile", counting)
    lazy = LazyRegex(r"a+b")
    assert compiled == []
    assert lazy.search("xaab") is not None
    assert lazy.match("ab") is not None
    assert compiled == [r"a+b"]


def _compiled_by_a_page_check(tmp_path) -> dict[str, bool]:
    """{mutlint's LazyRegex: compiled?} after a check of one page that calls a mutation."""
    if not (tmp_path / "convex").is_dir():
        _page_project(tmp_path)
    code = (
        "import sys\nfrom mutlint.cli import main\nfrom mutlint.lazy_regex import LazyRegex\n"
        "main(['check', 'page.tsx', '--fail-on', 'never'])\n"
        "found = {f'{m.__name__}.{k}': v._compiled is not None for m in list(sys.modules.values())\n"
        "         if getattr(m, '__name__', '').startswith('mutlint')\n"
        "         for k, v in vars(m).items() if isinstance(v, LazyRegex)}\n"
        "print(found)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          check=True)
    assert "No findings in 1 file." in done.stdout
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


def test_a_warm_start_compiles_no_code_pattern_regex(tmp_path) -> None:
    """The rules' code patterns come compiled from the YAML memo once a run kept them: the
    regexes that read metavariables in a pattern's code are not compiled."""
    first = _compiled_by_a_page_check(tmp_path)
    assert first["mutlint.rules.pattern.METAVAR"]  # compiled the patterns, and kept them
    again = _compiled_by_a_page_check(tmp_path)
    assert not again["mutlint.rules.pattern.METAVAR"]
    assert not again["mutlint.rules.pattern.MULTI_METAVAR"]


def _page_project(tmp_path) -> None:
    (tmp_path / "convex").mkdir()
    (tmp_path / "package.json").write_text("{}\n")
    (tmp_path / "convex" / "items.ts").write_text(
        'import { mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
        "export const rename = mutation({ args: { id: v.string() }, handler: async (ctx, args) => {"
        " await ctx.db.insert('items', { name: args.id }); } });\n")
    (tmp_path / "page.tsx").write_text(
        'import { useMutation } from "convex/react";\nimport { api } from "./convex/_generated/api";\n'
        "export function Page() { const rename = useMutation(api.items.rename);\n"
        '  return <button onClick={() => rename({ id: "a" })}>go</button>; }\n')


def test_a_page_check_compiles_no_regex_it_does_not_use(tmp_path) -> None:
    """A page that calls a mutation, checked alone: the table model's type regexes, suppression
    comments (it holds none) and report escaping (nothing found) are never searched, so never
    compiled; the log-like table names' module (the schema's table volumes) is not even
    imported, since no fact of a schema table is computed (convex/fact_catalogue.py)."""
    compiled = _compiled_by_a_page_check(tmp_path)
    never_needed = {"mutlint.convex.tables._ID_TYPE", "mutlint.convex.tables._DOC_TYPE",
                    "mutlint.convex.tables._DOC_ARRAY_TYPE",
                    "mutlint.suppress._DIRECTIVE", "mutlint.suppress._RULE_ID"}
    assert never_needed <= compiled.keys()  # their modules were imported
    assert not [name for name in never_needed if compiled[name]]
    assert "mutlint.convex.retention.LOG_LIKE" not in compiled


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(
    "\x00\x1b\x1f\x7f\x85\xa0\u1680\u2028\u2029\u3000\t\n\r\x0b\x0c\x1c ")))
def test_escaping_and_whitespace_folding_give_what_their_regexes_gave(text: str) -> None:
    """printable and normalised_code, written without a regex so that a run which reports a
    finding compiles none, give what the regexes they replaced gave."""
    escaped = re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", lambda m: {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
                     .get(m.group(), f"\\x{ord(m.group()):02x}"), text)
    assert printable(text) == escaped
    assert normalised_code(text) == re.sub(r"\s+", " ", text).strip()
