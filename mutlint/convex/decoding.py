"""Checked decoding of the model's stored facts: a value read back from the cache is used only
if every field has the type it was written with (a corrupted cache is recomputed, never
trusted). Each raises ValueError, which Project.stored treats as "not stored"."""

from __future__ import annotations


def as_offset(value) -> int:
    if type(value) is not int:  # bool is an int: not an offset
        raise ValueError("not an offset")
    return value


def as_name(value) -> str:
    if not isinstance(value, str):
        raise ValueError("not a name")
    return value


def as_flag(value) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not a flag")
    return value
