"""The YAML memo: a rule or config file read before is not parsed again (nor PyYAML imported),
gives the document a parse gives, and a memo that is damaged, of another version, or of
other bytes is never trusted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MUTATION_HEADER, MakeProject, mutation_source

from mutlint.rules.pack import builtin_rules_dir, rule_files_in
from mutlint.yaml_memo import YamlMemo
from mutlint.yamldoc import load_yaml_file

UNAWAITED = MUTATION_HEADER + "\n" + mutation_source("f", "    ctx.db.patch(id, {});")
CONFIG = "rules:\n  unawaited-convex-write: note\nexclude: []\nhigh-volume-tables:\n  - events\n"


def run(root: Path, *args: str) -> tuple[int, str, str]:
    """(exit code, the findings' rules and severities as JSON, stderr with the imports)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "mutlint", "check", ".",
                           "--format", "json", "--fail-on", "note", *args], cwd=root,
                          capture_output=True, text=True)
    report = json.loads(done.stdout) if done.stdout else None
    summary = None if report is None else [(f["rule"], f["severity"]) for f in report["findings"]]
    return done.returncode, json.dumps(summary), done.stderr


def imports_yaml(stderr: str) -> bool:
    return any(line.rsplit("|", 1)[-1].strip() == "yaml" for line in stderr.splitlines()
               if line.startswith("import time:"))


def test_a_warm_run_reads_the_rules_and_config_without_pyyaml(make_project: MakeProject) -> None:
    root = make_project({"convex/a.ts": UNAWAITED, ".mutlint.yaml": CONFIG})
    code, first, stderr = run(root)
    assert code == 1 and imports_yaml(stderr)
    assert json.loads(first) == [["unawaited-convex-write", "note"]]
    assert (root / ".mutlint_cache" / "yaml.json").is_file()
    code, again, stderr = run(root)
    assert (code, again) == (1, first) and not imports_yaml(stderr)
    # Other bytes, other document: the edited config is parsed and takes effect.
    (root / ".mutlint.yaml").write_text(CONFIG.replace(": note", ": warning"), encoding="utf-8")
    code, edited, stderr = run(root)
    assert imports_yaml(stderr) and json.loads(edited) == [["unawaited-convex-write", "warning"]]


@pytest.mark.parametrize("damage", [
    b"not json", b"[]", b'{"format": 1}', b'{"format": 1, "version": "0.0.0", "documents": {}}',
    "nested", "wrong shapes",
])
def test_a_damaged_memo_is_ignored_and_rewritten(make_project: MakeProject, damage) -> None:
    root = make_project({"convex/a.ts": UNAWAITED, ".mutlint.yaml": CONFIG})
    code, first, _ = run(root)
    memo = root / ".mutlint_cache" / "yaml.json"
    if damage == "nested":
        damage = b"[" * 100_000
    elif damage == "wrong shapes":  # every document of the memo made nonsense
        found = json.loads(memo.read_bytes())
        broken = [{"data": 1}, {"data": {}, "values": [[["x"], 0, 1]], "keys": []},
                  {"data": {}, "values": [["x", 1, 1]], "keys": []}, "text"]
        found["documents"] = {digest: broken[index % len(broken)]
                              for index, digest in enumerate(found["documents"])}
        damage = json.dumps(found).encode()
    memo.write_bytes(damage)
    code, again, stderr = run(root)
    assert (code, again) == (1, first) and "Traceback" not in stderr and imports_yaml(stderr)
    code, third, stderr = run(root)
    assert (code, third) == (1, first) and not imports_yaml(stderr)  # rewritten


def test_no_cache_neither_reads_nor_writes_the_memo(make_project: MakeProject) -> None:
    root = make_project({"convex/a.ts": UNAWAITED, ".mutlint.yaml": CONFIG})
    run(root)
    memo = root / ".mutlint_cache" / "yaml.json"
    before = memo.read_bytes()
    code, _, stderr = run(root, "--no-cache")
    assert code == 1 and imports_yaml(stderr) and memo.read_bytes() == before


def test_a_remembered_document_is_the_parsed_one(tmp_path: Path) -> None:
    """Data and every position, for the shipped rules and a config with nesting and quotes."""
    config = tmp_path / "config.yaml"
    config.write_text('rules:\n  "x-y": off\nlist:\n  - [1, 2.5, true, null]\n  - {a: "b"}\n',
                      encoding="utf-8")
    files = [*rule_files_in(builtin_rules_dir()), config]
    writer = YamlMemo(tmp_path / "memo.json")
    parsed = [load_yaml_file(path, path.name, writer) for path in files]
    writer.save()
    reader = YamlMemo(tmp_path / "memo.json")
    for path, fresh in zip(files, parsed, strict=True):
        remembered = reader.get(path.read_bytes(), path.name)
        assert remembered is not None, path
        assert remembered == fresh, path


@pytest.mark.parametrize("text", [
    "a: &x [1]\nb: *x\n",  # an alias shares one value: a copy would not
    "when: 2024-01-01\n",  # a timestamp is no JSON value
    "1: one\n",  # nor is a number key
    "x: .nan\n",
])
def test_documents_json_cannot_give_back_are_not_remembered(tmp_path: Path, text: str) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    memo = YamlMemo(tmp_path / "memo.json")
    load_yaml_file(path, "doc.yaml", memo)
    memo.save()
    assert not (tmp_path / "memo.json").exists()
    assert YamlMemo(tmp_path / "memo.json").get(path.read_bytes(), "doc.yaml") is None
