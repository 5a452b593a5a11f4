"""Immutable records: the classes typing.NamedTuple makes, without its checks of the annotations.

`class Span(Record): path: str ...` is `class Span(NamedTuple): ...` to a type checker, which
sees typing.NamedTuple itself, and the same class at run time: a collections.namedtuple with
the body's defaults, methods and docstring. What differs is the cost. typing.NamedTuple checks
every field's annotation as the class is made, and under `from __future__ import annotations`
(every module here) each annotation is a string, which it compiles into a ForwardRef: the 23
records a pre-commit check of one page imports took about 4 ms of its start-up, half of it
those compiles. Nothing here reads the annotations back (they stay on the class, as written).
"""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING, Any

# What the class body holds that is no field and no attribute of the record: the record's own.
_MADE_BY_NAMEDTUPLE = frozenset({"__module__", "__qualname__", "__annotations__", "__slots__"})

if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:
    class _RecordMaker(type):
        def __new__(cls, name: str, bases: tuple[type, ...], body: dict[str, Any]):
            if body.get("_root"):
                return super().__new__(cls, name, bases, body)
            if bases != (Record,):
                raise TypeError(f"{name}: a record can only be made from Record itself")
            fields = tuple(body.get("__annotations__", {}))
            defaults = [body[field] for field in fields if field in body]
            # As typing.NamedTuple: namedtuple would give a default to the wrong fields.
            if any(field not in body for field in fields[len(fields) - len(defaults):]):
                raise TypeError(f"{name}: a field without a default follows one with a default")
            record = namedtuple(name, fields, defaults=defaults or None, module=body["__module__"])
            record.__qualname__ = body.get("__qualname__", name)
            record.__annotations__ = dict(body.get("__annotations__", {}))
            for key, value in body.items():
                if key not in _MADE_BY_NAMEDTUPLE and key not in fields:
                    setattr(record, key, value)
            return record

    class Record(metaclass=_RecordMaker):
        _root = True
