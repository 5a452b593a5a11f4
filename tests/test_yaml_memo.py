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

from mutlint.errors import UsageError
from mutlint.rules.pack import builtin_rules_dir, rule_files_in
from mutlint.yaml_memo import YamlMemo
from mutlint.yaml_parse import load_yaml_text
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


def imports(stderr: str, module: str) -> bool:
    """Did the run import `module` (from its -X importtime lines)?"""
    return any(line.rsplit("|", 1)[-1].strip() == module for line in stderr.splitlines()
               if line.startswith("import time:"))


def imports_yaml(stderr: str) -> bool:
    return imports(stderr, "yaml")


def test_a_warm_run_reads_the_rules_and_config_without_pyyaml(make_project: MakeProject) -> None:
    root = make_project({"convex/a.ts": UNAWAITED, ".mutlint.yaml": CONFIG})
    code, first, stderr = run(root)
    assert code == 1 and imports_yaml(stderr)
    assert json.loads(first) == [["unawaited-convex-write", "note"]]
    assert (root / ".mutlint_cache" / "yaml.json").is_file()
    code, again, stderr = run(root)
    assert (code, again) == (1, first) and not imports_yaml(stderr)
    # Nor does it check the config against its schema again (valid data is remembered so).
    assert imports(stderr, "mutlint.schema_check") and not imports(stderr, "mutlint.schema_subset")
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


def _forge(memo: Path, rule_id: str, **changes) -> None:
    """Change the remembered document of a rule, keeping the memo well formed."""
    found = json.loads(memo.read_bytes())
    for entry in found["documents"].values():
        if entry["data"].get("id") == rule_id:
            entry["data"].update(changes)
    memo.write_text(json.dumps(found), encoding="utf-8")


def _messages(root: Path, *args: str) -> tuple[int, list[str], str]:
    done = subprocess.run([sys.executable, "-m", "mutlint", "check", ".", "--format", "json", *args],
                          cwd=root, capture_output=True, text=True)
    report = json.loads(done.stdout) if done.stdout else {"findings": []}
    return done.returncode, [f["message"] for f in report["findings"]], done.stderr


def test_a_wrong_remembered_rule_is_read_again_from_its_file(make_project: MakeProject) -> None:
    """The shipped rules are not checked against the schema (the test suite does): one the
    memo got wrong must not be believed, nor break the run."""
    root = make_project({"convex/a.ts": UNAWAITED})
    code, messages, _ = _messages(root)
    memo = root / ".mutlint_cache" / "yaml.json"
    _forge(memo, "unawaited-convex-write", severity="banana")
    assert _messages(root) == (code, messages, "")
    assert "banana" not in memo.read_text(encoding="utf-8")  # rewritten from the file


@pytest.mark.parametrize("how", ["tracked by git", "a link"])
def test_a_memo_in_a_cache_dir_not_ours_is_not_read(make_project: MakeProject, tmp_path: Path,
                                                     how: str) -> None:
    """As the cache's entries: a committed `.mutlint_cache/` came from whoever wrote the
    commit, and a link could lead anywhere."""
    root = make_project({"convex/a.ts": UNAWAITED})
    code, messages, _ = _messages(root)
    memo = root / ".mutlint_cache" / "yaml.json"
    _forge(memo, "unawaited-convex-write", message="FORGED {code}")
    assert any("FORGED" in m for m in _messages(root)[1])  # ours: believed (no schema check)
    if how == "a link":
        elsewhere = tmp_path / "elsewhere"
        (root / ".mutlint_cache").rename(elsewhere)
        (root / ".mutlint_cache").symlink_to(elsewhere, target_is_directory=True)
    else:
        git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "add", "-f", "."], check=True)
        subprocess.run([*git, "commit", "-qm", "forged"], check=True)
    assert _messages(root)[:2] == (code, messages)


def test_a_document_json_cannot_write_is_not_kept(make_project: MakeProject) -> None:
    """A rule with an integer of 5,000 digits: the check runs, the memo keeps the rest."""
    rule = (Path(__file__).parent / "fixtures" / "rule-language" / "same-callee-twice.yaml").read_text()
    assert "at-least: 2" in rule
    root = make_project({"convex/a.ts": UNAWAITED, "myrules/r.yaml": rule.replace(
        "at-least: 2", "at-least: 0x" + "F" * 5000), ".mutlint.yaml": "extra-rules: [myrules]\n"})
    code, _, stderr = _messages(root)
    assert code == 1 and stderr == ""
    remembered = json.loads((root / ".mutlint_cache" / "yaml.json").read_bytes())["documents"]
    assert remembered and all("0xF" not in json.dumps(d) for d in remembered.values())


def test_a_memo_of_other_code_is_not_read(make_project: MakeProject) -> None:
    """Keyed by mutlint's code, as the cache's entries: a checkout that parses YAML otherwise
    without a new version number must not read the documents its old code made."""
    root = make_project({"convex/a.ts": UNAWAITED})
    code, messages, _ = _messages(root)
    memo = root / ".mutlint_cache" / "yaml.json"
    _forge(memo, "unawaited-convex-write", message="FORGED {code}")
    found = json.loads(memo.read_bytes())
    memo.write_text(json.dumps({**found, "code": "another build"}), encoding="utf-8")
    assert _messages(root)[:2] == (code, messages)


_WELL_FORMED = [[["a"], 1, 1]]


@pytest.mark.parametrize("marks", [
    _WELL_FORMED,  # the control (a list equal to it may differ in types: True == 1 == 1.0)
    [[["a"], 0, 1]], [[["a"], 1, -2]], [[["a"], True, 1]], [[["a"], 1, 1.0]], [[["a"], "1", 1]],
    [["a", 1, 1]], [[{"a": 1}, 1, 1]], [[["a", True], 1, 1]], [[["a", 1.5], 1, 1]],
    [[["a", None], 1, 1]], [[["a"], 1]], [[["a"], 1, 1, 1]], "a", [None],
])
def test_a_remembered_position_is_exactly_a_path_a_line_and_a_column(tmp_path: Path, marks) -> None:
    """A position that is anything but a list of keys and indexes and two numbers from 1 is
    not taken: the document's marks are then those of its bytes parsed (`a` is at column 4,
    where no forged mark here puts it)."""
    from mutlint import __version__
    from mutlint.cache import content_hash
    from mutlint.yaml_memo import _FORMAT

    raw = b"a: 1\n"
    memo = tmp_path / "memo.json"
    memo.write_text(json.dumps({"format": _FORMAT, "version": __version__, "code": "", "documents": {
        content_hash(raw): {"data": {"a": 1}, "values": marks, "keys": []}}}), encoding="utf-8")
    remembered = YamlMemo(memo).get(raw, "doc.yaml")
    assert remembered is not None and remembered.data == {"a": 1}
    if marks is _WELL_FORMED:
        assert remembered.value_marks == {("a",): (1, 1)} and remembered.key_marks == {}
    else:
        parsed = load_yaml_text(raw.decode(), "doc.yaml")
        assert parsed.value_marks[("a",)] == (1, 4)
        assert (remembered.value_marks, remembered.key_marks) == (parsed.value_marks, parsed.key_marks)
        assert remembered.where(("a",)) == (1, 4)


# -- schema validation remembered ---------------------------------------------------------------

CUSTOM_RULE = ("id: bare-call\nseverity: note\nmessage: a bare call\ndescription: |\n"
               "  ## What it finds\n  Calls.\nrule:\n  pattern: $F()\n")


def imports_jsonschema(stderr: str) -> bool:
    return imports(stderr, "jsonschema")


def test_a_valid_config_and_rule_never_import_jsonschema(make_project: MakeProject) -> None:
    """jsonschema's import alone made every check of a project with a config 45 to 60 ms
    slower: valid data is found so without it (schema_subset), on the first run and on a run
    after the config changed, and the change takes effect."""
    root = make_project({"convex/a.ts": UNAWAITED + "go();\n", "myrules/r.yaml": CUSTOM_RULE,
                         ".mutlint.yaml": CONFIG + "extra-rules: [myrules]\n"})
    code, first, stderr = run(root)
    assert code == 1 and not imports_jsonschema(stderr)
    assert sorted(json.loads(first)) == [["bare-call", "note"], ["unawaited-convex-write", "note"]]
    code, again, stderr = run(root)
    assert (code, again) == (1, first) and not imports_jsonschema(stderr)
    (root / ".mutlint.yaml").write_text(CONFIG.replace(": note", ": warning") + "extra-rules: [myrules]\n",
                                        encoding="utf-8")
    code, edited, stderr = run(root)
    assert not imports_jsonschema(stderr)
    assert sorted(json.loads(edited)) == [["bare-call", "note"], ["unawaited-convex-write", "warning"]]
    # A rule the schema rejects is worded by jsonschema, at every run.
    (root / "myrules/r.yaml").write_text(CUSTOM_RULE.replace("severity: note", "severity: loud"),
                                         encoding="utf-8")
    for _ in range(2):
        code, _, stderr = run(root)
        assert code == 2 and imports_jsonschema(stderr)
        assert "r.yaml:2:11: severity: 'loud' is not one of ['error', 'warning', 'note']" in stderr


def test_a_document_validated_once_is_not_validated_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo keeps what passed the schema: the same data is not checked again, other
    data is (in-process, counted)."""
    from mutlint import schema_check

    checked: list[object] = []
    real = schema_check._violations
    monkeypatch.setattr(schema_check, "_violations",
                        lambda doc, *args: checked.append(doc.data) or real(doc, *args))
    memo = YamlMemo(tmp_path / "yaml.json")
    path = tmp_path / "r.yaml"
    for text, times in ((CUSTOM_RULE, 1), (CUSTOM_RULE, 1), (CUSTOM_RULE.replace("note\n", "error\n", 1), 2)):
        path.write_text(text, encoding="utf-8")
        doc = load_yaml_file(path, "r.yaml", memo)
        assert schema_check.schema_diagnostics(doc, "mutlint.rules", "rule.schema.json", memo) == []
        assert len(checked) == times


def test_an_invalid_config_is_reported_at_every_run(make_project: MakeProject) -> None:
    root = make_project({"convex/a.ts": UNAWAITED, ".mutlint.yaml": "exclude: 5\n"})
    for _ in range(2):
        code, report, stderr = run(root)
        assert (code, report) == (2, "null")
        assert ".mutlint.yaml:1:10: exclude: 5 is not of type 'array'" in stderr
        assert imports_jsonschema(stderr)


def test_a_remembered_config_altered_in_the_memo_is_validated_and_read_again(
        make_project: MakeProject) -> None:
    """What the memo says was valid is the digest of that data: a document changed in the
    memo is other data, validated, found wrong, and read again from its file."""
    root = make_project({"convex/a.ts": UNAWAITED, ".mutlint.yaml": CONFIG})
    code, first, _ = run(root)
    memo = root / ".mutlint_cache" / "yaml.json"
    found = json.loads(memo.read_bytes())
    assert any(key.startswith("config.schema.json+excludes:") for key in found["derived"]["valid-documents"])
    altered = [doc for doc in found["documents"].values() if "high-volume-tables" in doc["data"]]
    assert len(altered) == 1
    altered[0]["data"]["exclude"] = 5
    memo.write_text(json.dumps(found), encoding="utf-8")
    code, again, stderr = run(root)
    assert (code, again) == (1, first) and imports_jsonschema(stderr)
    assert "is not of type" not in stderr


def test_only_valid_data_is_remembered_as_valid(tmp_path: Path) -> None:
    from mutlint.schema_check import VALIDATED, schema_diagnostics

    memo = YamlMemo(tmp_path / "yaml.json")
    for text, wrong in (("exclude: 5\n", True), ("exclude: ['a/**']\n", False)):
        (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
        doc = load_yaml_file(tmp_path / "c.yaml", "c.yaml", memo)
        for _ in range(2):
            assert bool(schema_diagnostics(doc, "mutlint", "config.schema.json", memo)) is wrong
    assert len(memo._derived[VALIDATED]) == 1  # the valid one's


def test_a_config_with_excludes_checked_once_is_not_checked_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its schema (jsonschema) and its patterns (pathspec): in-process, counted, since a run
    on files this young walks the project and compiles the excludes anyway (the file list is
    remembered only for directories at least two seconds old)."""
    from mutlint import config

    checked: list[str] = []
    real_schema, real_pattern = config.schema_diagnostics, config.pattern_error
    monkeypatch.setattr(config, "schema_diagnostics",
                        lambda *args: checked.append("schema") or real_schema(*args))
    monkeypatch.setattr(config, "pattern_error",
                        lambda line: checked.append(line) or real_pattern(line))
    path = tmp_path / ".mutlint.yaml"
    memo = YamlMemo(tmp_path / "yaml.json")
    path.write_text("exclude: ['convex/skip/**']\n", encoding="utf-8")
    assert config.load_config(path, ".mutlint.yaml", memo).exclude == ["convex/skip/**"]
    assert checked == ["schema", "convex/skip/**"]
    assert config.load_config(path, ".mutlint.yaml", memo).exclude == ["convex/skip/**"]
    assert checked == ["schema", "convex/skip/**"]  # not again
    # A pattern that is none (a trailing backslash) is said at every load, with its line.
    path.write_text("exclude:\n  - 'convex/skip/**'\n  - 'bad\\'\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(UsageError) as raised:
            config.load_config(path, ".mutlint.yaml", memo)
        assert ".mutlint.yaml:3:5: 'bad\\' is not a valid" in str(raised.value.diagnostics[0])
    # Checked at each load (the second, twice: a remembered document that fails is read
    # again from its file, in case the memo was damaged).
    assert checked.count("bad\\") == 3
