"""selection.shown_path gives what os.path.relpath and its `..` test gave, for paths under,
above, beside and equal to the current directory, with `.`, `..` and doubled separators."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mutlint.selection import shown_path


def relpath_shown(path: Path) -> str:
    """The definition shown_path had: relpath, and an absolute path that climbs out resolved."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path.resolve()) if relative.startswith("..") and path.is_absolute() else relative


# `link` is a symbolic link to `a`: a path shown resolved differs from the path itself.
STEPS = st.lists(st.sampled_from(["a", "b", "..", ".", "", "..x", "x..", "work", "é", "link"]),
                 max_size=5)


@pytest.mark.skipif(os.sep != "/", reason="the fast path is POSIX's")
@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS, absolute=st.booleans(), cwd_steps=st.lists(st.sampled_from(["a", "b", "work", "link"]),
                                                                  max_size=3))
@example(steps=["work", "a"], absolute=True, cwd_steps=["work"])
@example(steps=["work"], absolute=True, cwd_steps=["work"])
@example(steps=["worker", "a"], absolute=True, cwd_steps=["work"])
@example(steps=["..x", "a"], absolute=True, cwd_steps=[])
@example(steps=[], absolute=True, cwd_steps=["a"])
@example(steps=["link", "r.yaml"], absolute=True, cwd_steps=["b"])
@example(steps=["link", "r.yaml"], absolute=True, cwd_steps=["link"])
def test_shown_path_is_what_relpath_showed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           steps: list[str], absolute: bool,
                                           cwd_steps: list[str]) -> None:
    (tmp_path / "a").mkdir(exist_ok=True)
    if not (tmp_path / "link").is_symlink():
        (tmp_path / "link").symlink_to("a", target_is_directory=True)
    cwd = tmp_path.joinpath(*cwd_steps)
    cwd.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(cwd)
    text = "/".join(steps)
    path = Path(f"{tmp_path}/{text}" if absolute else text or ".")
    assert shown_path(path) == relpath_shown(path)


def test_the_usual_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "app").mkdir()
    monkeypatch.chdir(tmp_path / "app")
    assert shown_path(tmp_path / "app" / "convex" / "m.ts") == "convex/m.ts"
    assert shown_path(tmp_path / "app") == "."
    (tmp_path / "rules").symlink_to(tmp_path / "app", target_is_directory=True)
    assert shown_path(tmp_path / "rules" / "r.yaml") == str(tmp_path.resolve() / "app" / "r.yaml")
