"""Equality by value for the few plain classes something compares (Finding, Diagnostic): the
`__eq__` a dataclass would generate, without importing dataclasses (see mutlint/__init__.py)."""

from __future__ import annotations


class ComparedByValue:
    """Equal when of one type with equal `_fields()`; unhashable, being mutable."""

    __slots__ = ()

    def _fields(self) -> tuple:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]
