"""Immutable records: the classes typing.NamedTuple makes, without its costs at import.

`class Span(Record): path: str ...` is `class Span(NamedTuple): ...` to a type checker, which
sees typing.NamedTuple itself, and the same class at run time: a tuple with namedtuple's
attributes and methods, the body's defaults, methods and docstring. What differs is the cost of
making the class, paid at every start-up for each record a command imports (28 for a
pre-commit check of one page):

- typing.NamedTuple checks every field's annotation, and under `from __future__ import
  annotations` (every module here) each annotation is a string, which it compiles into a
  ForwardRef: about 4 ms of a page's check. Nothing here reads the annotations back (they stay
  on the class, as written).
- collections.namedtuple compiles the source of each record's `__new__` (eval) to give it the
  fields as parameters: 2.3 ms for the 28. Here `__new__` is one of a few precompiled ones, one
  per number of fields, renamed to the fields (`CodeType.replace`): the same bytecode as
  namedtuple's, so making a record costs what namedtuple's does.
"""

from __future__ import annotations

import sys
from _collections import _tuplegetter  # what namedtuple makes its field getters with
from types import CodeType, FunctionType
from typing import TYPE_CHECKING, Any

# What the class body holds that is no field and no attribute of the record: the record's own.
_MADE_HERE = frozenset({"__module__", "__qualname__", "__annotations__", "__slots__"})

_tuple_new = tuple.__new__

# namedtuple's `__new__` of 1 to 9 fields, as it would compile them; the parameters are renamed
# for each record. A record of more fields compiles its own (_new_code).
_NEW_BY_ARITY = (
    lambda _cls, _0: _tuple_new(_cls, (_0,)),
    lambda _cls, _0, _1: _tuple_new(_cls, (_0, _1)),
    lambda _cls, _0, _1, _2: _tuple_new(_cls, (_0, _1, _2)),
    lambda _cls, _0, _1, _2, _3: _tuple_new(_cls, (_0, _1, _2, _3)),
    lambda _cls, _0, _1, _2, _3, _4: _tuple_new(_cls, (_0, _1, _2, _3, _4)),
    lambda _cls, _0, _1, _2, _3, _4, _5: _tuple_new(_cls, (_0, _1, _2, _3, _4, _5)),
    lambda _cls, _0, _1, _2, _3, _4, _5, _6: _tuple_new(_cls, (_0, _1, _2, _3, _4, _5, _6)),
    lambda _cls, _0, _1, _2, _3, _4, _5, _6, _7: _tuple_new(_cls, (_0, _1, _2, _3, _4, _5, _6, _7)),
    lambda _cls, _0, _1, _2, _3, _4, _5, _6, _7, _8:
        _tuple_new(_cls, (_0, _1, _2, _3, _4, _5, _6, _7, _8)),
)


def _new_code(arity: int) -> CodeType:
    if 0 < arity <= len(_NEW_BY_ARITY):
        return _NEW_BY_ARITY[arity - 1].__code__
    names = ", ".join(f"_{i}" for i in range(arity))
    source = f"lambda _cls, {names}: _tuple_new(_cls, ({names}{',' if arity == 1 else ''}))"
    return eval(source, {"_tuple_new": _tuple_new}).__code__  # noqa: S307 (our own source)


def _make(cls, iterable):
    result = _tuple_new(cls, iterable)
    if len(result) != len(cls._fields):
        raise TypeError(f"Expected {len(cls._fields)} arguments, got {len(result)}")
    return result


def _replace(self, /, **changes):
    result = self._make(map(changes.pop, self._fields, self))
    if changes:
        raise ValueError(f"Got unexpected field names: {list(changes)!r}")
    return result


def _repr(self):
    return self.__class__.__name__ + \
        "(" + ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self, strict=True)) + ")"


def _asdict(self):
    return dict(zip(self._fields, self, strict=True))


def _getnewargs(self):
    return tuple(self)


def make_record_class(name: str, fields: tuple[str, ...], defaults: tuple[Any, ...],
                      module: str) -> type:
    """The class collections.namedtuple(name, fields, defaults=defaults, module=module) makes."""
    for field in fields:
        if field.startswith("_"):
            raise ValueError(f"{name}: field names cannot start with an underscore: {field!r}")
    arg_list = ", ".join(fields) + ("," if len(fields) == 1 else "")
    defaulted = fields[len(fields) - len(defaults):] if defaults else ()
    code = _new_code(len(fields)).replace(co_varnames=("_cls", *fields))  # no other locals
    new = FunctionType(code, {"_tuple_new": _tuple_new}, "__new__", defaults or None)
    new.__doc__ = f"Create new instance of {name}({arg_list})"
    namespace: dict[str, Any] = {
        "__doc__": f"{name}({arg_list})",
        "__slots__": (),
        "_fields": fields,
        "_field_defaults": dict(zip(defaulted, defaults, strict=True)),
        "__new__": new,
        "_make": classmethod(_make),
        "_replace": _replace,
        "__repr__": _repr,
        "_asdict": _asdict,
        "__getnewargs__": _getnewargs,
        "__match_args__": fields,
    }
    for index, field in enumerate(fields):
        namespace[field] = _tuplegetter(index, sys.intern(f"Alias for field number {index}"))
    record = type(name, (tuple,), namespace)
    record.__module__ = module
    new.__qualname__ = f"{name}.__new__"
    return record


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
            defaults = tuple(body[field] for field in fields if field in body)
            # As typing.NamedTuple: namedtuple would give a default to the wrong fields.
            if any(field not in body for field in fields[len(fields) - len(defaults):]):
                raise TypeError(f"{name}: a field without a default follows one with a default")
            record = make_record_class(name, fields, defaults, body["__module__"])
            record.__qualname__ = body.get("__qualname__", name)
            record.__annotations__ = dict(body.get("__annotations__", {}))
            for key, value in body.items():
                if key not in _MADE_HERE and key not in fields:
                    setattr(record, key, value)
            return record

    class Record(metaclass=_RecordMaker):
        _root = True
