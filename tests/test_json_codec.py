"""mutlint.json_codec writes and reads JSON as the json package does, byte for byte, without
importing it; and a check whose cache holds its config, rules and walks imports no json."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fuzz_inputs import EXAMPLE
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mutlint import json_codec

TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)  # lone surrogates too
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=-(10 ** 40), max_value=10 ** 40)
    | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300)
@given(VALUES, st.booleans(), st.booleans())
@example(float("nan"), True, True)
@example({"b": [1.5, -0.0, 1e300], "a": {"\u2028": "\ud800"}}, True, False)
def test_dumps_writes_what_json_dumps_writes(value, sort_keys: bool, compact: bool) -> None:
    separators = (",", ":") if compact else (", ", ": ")
    assert json_codec.dumps(value, sort_keys=sort_keys, compact=compact) == \
        json.dumps(value, sort_keys=sort_keys, separators=separators)


@given(TEXT)
def test_encode_string_is_json_dumps_of_a_string(text: str) -> None:
    assert json_codec.encode_string(text) == json.dumps(text)


@settings(max_examples=300)
@given(VALUES)
def test_loads_reads_back_what_json_reads(value) -> None:
    for text in (json.dumps(value), json.dumps(value, indent=1), f" \n{json.dumps(value)}\t\r"):
        assert json.dumps(json_codec.loads(text)) == json.dumps(json.loads(text))
    written = json.dumps(value)
    assert json.dumps(json_codec.loads(written.encode())) == json.dumps(json.loads(written))


def _outcome(read, text: str):
    try:
        value = read(text)
    except (ValueError, RecursionError) as exc:
        return type(exc).__name__, str(exc)
    return "value", json.dumps(value) if not (isinstance(value, float) and math.isnan(value)) else "nan"


@settings(max_examples=500)
@given(st.text(alphabet='{}[]",:0123456789.eE+-tfnrulsaNIiy \\\n\t\u00e9', max_size=16))
@example('"abc')
@example("[1] x")
@example("")
@example("[" * 5000)
def test_anything_else_reads_as_json_reads_it_errors_included(text: str) -> None:
    assert _outcome(json_codec.loads, text) == _outcome(json.loads, text)


def test_a_warm_check_imports_no_json(tmp_path: Path) -> None:
    """The point of the module: `import json` was 5 M instructions of a pre-commit check."""
    root = tmp_path / "app"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".mutlint_cache"))
    probe = ("import sys\nfrom mutlint.cli import main\ncode = main(sys.argv[1:])\n"
             "print('json' in sys.modules, code)")
    command = [sys.executable, "-c", probe, "check", "app/onboarding/page.tsx", "--fail-on", "never"]
    first = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
    assert first.stdout.strip().endswith("0")
    warm = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
    if json_codec._C is None:
        pytest.skip("no C accelerator here: the json package does the work")
    assert warm.stdout.strip().splitlines()[-1] == "False 0", warm.stdout + warm.stderr


def test_without_the_accelerator_the_json_package_does_the_work(monkeypatch) -> None:
    """Another Python, or a `_json` of another interface: the same answers, from json."""
    monkeypatch.setattr(json_codec, "_C", None)
    value = {"b": [1, 2.5, None, "é\n"], "a": {"x": True}}
    assert json_codec.dumps(value, sort_keys=True, compact=True) == \
        json.dumps(value, sort_keys=True, separators=(",", ":"))
    assert json_codec.dumps(value) == json.dumps(value)
    assert json_codec.encode_string("é\0") == json.dumps("é\0")
    assert json_codec.loads(b' {"a": [1]} ') == {"a": [1]}
    with pytest.raises(ValueError):
        json_codec.loads("[1,")
