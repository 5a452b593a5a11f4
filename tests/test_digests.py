"""mutlint.digests gives hashlib's digests (cache keys and finding fingerprints must not change
with the module they come from), without importing hashlib on a check's path."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time

import pytest

from mutlint import digests
from mutlint.file_index import RACY_SECONDS


@pytest.mark.parametrize("data", [b"", b"abc", "ünïcode".encode(), bytes(range(256)) * 300])
def test_the_digests_are_hashlibs(data: bytes) -> None:
    assert digests.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    assert digests.blake2b(data, digest_size=16).hexdigest() == \
        hashlib.blake2b(data, digest_size=16).hexdigest()
    incremental = digests.blake2b(digest_size=16)
    for start in range(0, len(data), 1000):
        incremental.update(data[start:start + 1000])
    assert incremental.hexdigest() == hashlib.blake2b(data, digest_size=16).hexdigest()


def test_a_check_imports_neither_hashlib_nor_shutil(tmp_path) -> None:
    """What the two cost a pre-commit run: OpenSSL's load, and shutil's compressors (argparse
    measures the terminal with shutil unless told the width, cli._HelpFormatter). (A first run
    compiles the excludes, and pathspec imports dataclasses: the third is a pre-commit run's.)"""
    (tmp_path / "convex").mkdir()
    (tmp_path / "convex" / "a.ts").write_text("export const f = mutation({ handler: async (ctx) => {"
                                              " await ctx.db.patch(id, {}); } });\n")
    code = ("import sys; from mutlint.cli import main; main(['check', 'convex/a.ts', '--fail-on', "
            "'never']); print(sorted({'hashlib', 'shutil', 'dataclasses'} & set(sys.modules)))")

    def run() -> str:
        done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                              text=True, check=True)
        return done.stdout.strip().splitlines()[-1]

    run()  # makes the cache dir, which changes the root's stat
    time.sleep(RACY_SECONDS + 0.1)  # a listing younger than this is never remembered (ctimes)
    run()  # remembers the walk
    assert run() == "[]"


def test_fingerprints_are_hashed_only_for_reports_that_print_them(tmp_path) -> None:
    """A text report prints no fingerprint, so its check loads no SHA-256 module; a JSON
    report's fingerprint is still the hash of rule, path, normalised code and occurrence."""
    (tmp_path / "convex").mkdir()
    (tmp_path / "convex" / "a.ts").write_text(
        'import { mutation } from "./_generated/server";\n'
        "export const f = mutation({ handler: async (ctx) => { ctx.db.patch(id, {}); } });\n")
    code = ("import sys; from mutlint.cli import main; code = main(['check', 'convex/a.ts', {}]); "
            "print(code, sorted({{'_sha2', '_sha256', 'hashlib'}} & set(sys.modules)))")

    def run(*options: str) -> list[str]:
        done = subprocess.run([sys.executable, "-c", code.format(", ".join(map(repr, options)))],
                              cwd=tmp_path, capture_output=True, text=True, check=True)
        return done.stdout.strip().splitlines()

    assert run("--no-cache")[-1] == "1 []"  # a finding, and no hash of it
    report = json.loads("\n".join(run("--no-cache", "--format", "json")[:-1]))
    [finding] = report["findings"]
    expected = hashlib.sha256("\0".join((finding["rule"], finding["path"], "ctx.db.patch(id, {})",
                                         "0")).encode()).hexdigest()[:32]
    assert finding["fingerprint"] == expected
