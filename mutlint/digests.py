"""The two hashes mutlint uses, without importing hashlib.

hashlib loads OpenSSL when it is imported, for constructors mutlint never calls: 11 M
instructions, 3% of a pre-commit check. blake2b (content hashes, cache keys) is CPython's own
`_blake2` either way, and SHA-256 (finding fingerprints) CPython builds in too (`_sha2` from
3.12, `_sha256` before); the digests are the same as hashlib's. Another Python gets hashlib's.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # not CPython
    from hashlib import blake2b


_sha256_type = None


def sha256(data: bytes = b""):
    """A SHA-256 hash object, its module imported at the first call: only reports that print
    fingerprints (findings.py) ask for one, and a text report of a pre-commit check does not
    load a second hash module (1.1 M instructions)."""
    global _sha256_type
    if _sha256_type is None:
        try:
            from _sha2 import sha256 as _sha256_type
        except ImportError:
            try:
                from _sha256 import sha256 as _sha256_type
            except ImportError:  # not CPython
                from hashlib import sha256 as _sha256_type
    return _sha256_type(data)


__all__ = ["blake2b", "sha256"]
