"""mutlint.records.Record makes the class typing.NamedTuple makes, without its annotation checks:
held here to typing.NamedTuple's own classes, field by field and method by method."""

from __future__ import annotations

import pickle
from typing import NamedTuple

import pytest

from mutlint.records import Record


class TypedSpan(NamedTuple):
    """A region of one file."""

    path: str
    line: int
    column: int = 1
    notes: tuple[str, ...] = ()

    def shown(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    @property
    def at_start(self) -> bool:
        return self.column == 1

    KIND = "span"


class Span(Record):
    """A region of one file."""

    path: str
    line: int
    column: int = 1
    notes: tuple[str, ...] = ()

    def shown(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    @property
    def at_start(self) -> bool:
        return self.column == 1

    KIND = "span"


class Bare(Record):
    name: str


class TypedBare(NamedTuple):
    name: str


def test_a_record_is_the_namedtuple_typing_makes() -> None:
    for made, typed in ((Span, TypedSpan), (Bare, TypedBare)):
        assert made._fields == typed._fields
        assert made._field_defaults == typed._field_defaults
        # As written: typing keeps each as a ForwardRef it compiled, the cost Record avoids.
        assert made.__annotations__ == {name: hint.__forward_arg__
                                        for name, hint in typed.__annotations__.items()}
        assert made.__module__ == typed.__module__ == __name__
        assert made.__bases__ == typed.__bases__ == (tuple,)
        assert made.__slots__ == typed.__slots__ == ()
    assert Span.__doc__ == TypedSpan.__doc__ == "A region of one file."
    assert Bare.__doc__ == "Bare(name,)" and TypedBare.__doc__ == "TypedBare(name,)"
    assert (Span.__qualname__, TypedSpan.__qualname__) == ("Span", "TypedSpan")


def test_a_record_behaves_as_typings() -> None:
    made, typed = Span("a.ts", 3), TypedSpan("a.ts", 3)
    assert made == typed == ("a.ts", 3, 1, ())  # tuples, compared as tuples
    assert hash(made) == hash(typed)
    assert repr(made) == "Span(path='a.ts', line=3, column=1, notes=())"
    assert made.shown() == typed.shown() == "a.ts:3:1"
    assert made.at_start and typed.at_start
    assert Span.KIND == TypedSpan.KIND == "span"
    assert made._replace(column=7) == ("a.ts", 3, 7, ())
    assert made._asdict() == typed._asdict()
    assert Span._make(["b.ts", 1, 2, ("x",)]).notes == ("x",)
    path, line, *_ = made
    assert (path, line) == ("a.ts", 3)
    with pytest.raises(AttributeError):
        made.path = "b.ts"  # immutable, and no __dict__ to add to
    with pytest.raises(AttributeError):
        made.other = 1


def test_a_record_travels_through_pickle() -> None:
    """-j hands records from child to parent pickled: by module and qualified name."""
    made = Span("a.ts", 3, notes=("n",))
    assert pickle.loads(pickle.dumps(made)) == made
    assert type(pickle.loads(pickle.dumps(made))) is Span


def test_a_field_without_default_after_one_with_is_refused_as_typing_refuses() -> None:
    body = "    a: int = 0\n    b: int\n"
    for base, namespace in (("NamedTuple", {"NamedTuple": NamedTuple}), ("Record", {"Record": Record})):
        with pytest.raises(TypeError):
            exec(f"from __future__ import annotations\nclass Bad({base}):\n{body}", dict(namespace))


def test_a_record_is_made_from_record_alone() -> None:
    with pytest.raises(TypeError):
        class Derived(Span, Record):  # noqa: F841 (never made)
            extra: int
