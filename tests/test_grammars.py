"""The TypeScript grammars are loaded from tree_sitter_typescript's extension module alone, not
through its package (whose `__init__` imports importlib.resources for query files mutlint does
not read), and from the package where the extension is not where it is expected."""

from __future__ import annotations

import subprocess
import sys

import tree_sitter
import tree_sitter_typescript

from mutlint import source


def test_the_grammars_are_the_packages_own() -> None:
    loaded = source.grammars()
    assert tree_sitter.Language(loaded.language_tsx()) == \
        tree_sitter.Language(tree_sitter_typescript.language_tsx())
    assert tree_sitter.Language(loaded.language_typescript()) == \
        tree_sitter.Language(tree_sitter_typescript.language_typescript())


def test_loading_them_imports_neither_the_package_nor_importlib_resources() -> None:
    probe = ("import sys; before = set(sys.modules); from mutlint.source import ts_language; "
             "ts_language('tsx'); print(sorted({'tree_sitter_typescript', 'importlib.resources',"
             " 'importlib.util'} & (set(sys.modules) - before)))")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]"


def test_a_package_laid_out_otherwise_is_imported(monkeypatch) -> None:
    monkeypatch.setattr(source, "_find_spec", lambda name: None)
    source.grammars.cache_clear()
    try:
        assert source.grammars() is tree_sitter_typescript
    finally:
        source.grammars.cache_clear()


def test_the_package_is_found_where_importlib_finds_it() -> None:
    import importlib.util

    found = source._find_spec("tree_sitter_typescript")
    expected = importlib.util.find_spec("tree_sitter_typescript")
    assert (found.name, found.origin, found.submodule_search_locations) == \
        (expected.name, expected.origin, expected.submodule_search_locations)
    assert source._find_spec("no_such_module_here") is None
