"""mutlint's modules come from the bytecode Python cached for them, checked as Python checks
it, and from the file Python's own finder would pick; anything else is left to Python."""

from __future__ import annotations

import importlib.util
import os
import py_compile
import shutil
import subprocess
import sys
from importlib.machinery import PathFinder, SourceFileLoader
from pathlib import Path

import pytest

import mutlint
from mutlint.bytecode_finder import BytecodeFinder

TAG = sys.implementation.cache_tag
PACKAGE = Path(mutlint.__file__).parent


def _compiled(source: Path, mode=py_compile.PycInvalidationMode.TIMESTAMP) -> Path:
    cache = Path(importlib.util.cache_from_source(str(source)))
    py_compile.compile(str(source), cfile=str(cache), doraise=True, invalidation_mode=mode)
    return cache


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A package `bcf_pkg` with a module, a subpackage and each one's bytecode."""
    root = tmp_path / "bcf_pkg"
    (root / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "mod.py").write_text('"""Doc."""\nVALUE = 41 + 1\n\ndef answer():\n    return VALUE\n')
    (root / "sub" / "__init__.py").write_text("")
    for source in (root / "__init__.py", root / "mod.py", root / "sub" / "__init__.py"):
        _compiled(source)
    return root


def _spec(package: Path, name: str = "bcf_pkg.mod"):
    return BytecodeFinder("bcf_pkg.", TAG).find_spec(name, [str(package)])


def test_a_fresh_cache_file_is_served_with_the_attributes_pythons_loader_gives(package) -> None:
    spec = _spec(package)
    assert spec is not None
    assert spec.origin == str(package / "mod.py")
    assert spec.cached == importlib.util.cache_from_source(str(package / "mod.py"))
    assert isinstance(spec.loader, SourceFileLoader)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.answer() == 42
    assert module.__doc__ == "Doc."
    assert module.__file__ == spec.origin and module.__cached__ == spec.cached
    assert module.__package__ == "bcf_pkg" and not hasattr(module, "__path__")
    # What Python's own finder gives for the same module.
    theirs = PathFinder.find_spec("bcf_pkg.mod", [str(package)])
    assert (theirs.origin, theirs.cached, theirs.parent) == (spec.origin, spec.cached, spec.parent)
    # The bytes are used once: a second exec (a reload) reads the file again, as Python would.
    spec.loader.exec_module(module)
    assert module.answer() == 42


def test_an_edited_source_leaves_the_module_to_python(package) -> None:
    source = package / "mod.py"
    source.write_text(source.read_text() + "MORE = 1\n")  # another size
    assert _spec(package) is None
    _compiled(source)
    stamp = source.stat()
    os.utime(source, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 5_000_000_000))  # same size
    assert _spec(package) is None


@pytest.mark.parametrize("damage", ["missing", "hash-based", "flags", "magic", "short",
                                    "no source"])
def test_what_python_would_not_trust_as_is_is_left_to_python(package, damage: str) -> None:
    source = package / "mod.py"
    cache = Path(importlib.util.cache_from_source(str(source)))
    if damage == "missing":
        cache.unlink()
    elif damage == "hash-based":
        _compiled(source, py_compile.PycInvalidationMode.CHECKED_HASH)
    elif damage == "flags":  # checked-hash flags over a timestamp header: not a timestamp pyc
        cache.write_bytes(cache.read_bytes()[:4] + b"\3\0\0\0" + cache.read_bytes()[8:])
    elif damage == "magic":
        cache.write_bytes(b"\0\0\r\n" + cache.read_bytes()[4:])
    elif damage == "short":
        cache.write_bytes(cache.read_bytes()[:10])
    else:
        source.unlink()
    assert _spec(package) is None


def test_packages_other_prefixes_and_top_level_names_are_left_to_python(package) -> None:
    assert _spec(package, "bcf_pkg.sub") is None  # a package: `sub.py` is not there
    assert BytecodeFinder("other.", TAG).find_spec("bcf_pkg.mod", [str(package)]) is None
    assert BytecodeFinder("bcf_pkg.", TAG).find_spec("bcf_pkg", None) is None


def test_every_module_of_mutlint_is_found_in_the_file_pythons_finder_picks(tmp_path) -> None:
    """The finder assumes `<name>.py` is what Python picks: no package, extension module or
    other suffix beside it shadows it. Held for every module the package ships."""
    copy = tmp_path / "mutlint"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    finder = BytecodeFinder("mutlint.", TAG)
    served = 0
    for source in sorted(copy.rglob("*.py")):
        _compiled(source)
        parts = source.relative_to(tmp_path).with_suffix("").parts
        name, directory = ".".join(parts), str(source.parent)
        ours = finder.find_spec(name, [directory]) if parts[-1] != "__init__" else None
        theirs = PathFinder.find_spec(name, [directory])
        if ours is not None:
            served += 1
            assert (ours.origin, ours.cached) == (theirs.origin, theirs.cached), name
    assert served > 50


def _loader_of(module: str, *options: str) -> str:
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    code = f"import {module} as m; print(type(m.__loader__).__name__)"
    done = subprocess.run([sys.executable, *options, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60, cwd=PACKAGE.parent.parent)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_mutlint_installs_it_for_its_own_modules() -> None:
    _loader_of("mutlint.commands")  # writes the cache files if this checkout has none yet
    assert _loader_of("mutlint.commands") == "_CachedBytecodeLoader"
    assert _loader_of("mutlint.rules") == "SourceFileLoader"  # a package
    # Optimised runs name their cache files otherwise (`.opt-1.pyc`): Python's finder then.
    assert _loader_of("mutlint.commands", "-O") == "SourceFileLoader"
