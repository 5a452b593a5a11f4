"""mutlint.records.Record makes the class typing.NamedTuple makes, without its annotation checks:
held here to typing.NamedTuple's own classes, field by field and method by method."""

from __future__ import annotations

import pickle
from collections import namedtuple
from typing import NamedTuple

import pytest

from mutlint.records import Record, make_record_class


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


class Wide(Record):
    """More fields than the precompiled constructors take: its own is compiled."""

    f0: int
    f1: int
    f2: int
    f3: int
    f4: int
    f5: int
    f6: int
    f7: int
    f8: int
    f9: int = 9
    f10: int = 10


# What typing.NamedTuple would make of Wide: namedtuple's class with its defaults.
TypedWide = namedtuple("TypedWide", Wide._fields, defaults=(9, 10))


def _outcome(call, cls):
    try:
        return ("ok", call(cls))
    except (TypeError, ValueError) as error:  # the message names the class: compared without it
        return (type(error).__name__, str(error).replace("Typed", ""))


@pytest.mark.parametrize(("made", "typed"), [(Span, TypedSpan), (Bare, TypedBare), (Wide, TypedWide)])
def test_a_record_is_built_and_refused_as_typings(made, typed) -> None:
    """The constructor each record gets (a precompiled one renamed, or its own for many fields)
    takes the fields by position and by name, with their defaults, and refuses what
    namedtuple's refuses, with the same messages."""
    arity = len(made._fields)
    required = arity - len(made._field_defaults)
    calls = [
        lambda cls: cls(*range(required)),
        lambda cls: cls(*range(arity)),
        lambda cls: cls(**{field: index for index, field in enumerate(cls._fields)}),
        lambda cls: cls(*range(required - 1)),
        lambda cls: cls(*range(arity + 1)),
        lambda cls: cls(*range(required), unknown=1),
        lambda cls: cls._make(range(arity)),
        lambda cls: cls._make(range(arity - 1)),
        lambda cls: cls._make(range(arity))._replace(unknown=1),
        lambda cls: cls._make(range(arity))._replace(**{cls._fields[-1]: "new"}),
    ]
    for call in calls:
        assert _outcome(call, made) == _outcome(call, typed)
    assert made.__match_args__ == typed.__match_args__ == made._fields
    assert made.__new__.__qualname__ == f"{made.__name__}.__new__"
    assert made.__new__.__doc__.replace(made.__name__, "X") == \
        typed.__new__.__doc__.replace(typed.__name__, "X")
    assert made._fields == typed._fields and made._field_defaults == typed._field_defaults


def test_a_record_matches_and_copies_as_a_tuple() -> None:
    import copy

    match Span("a.ts", 3):
        case Span(path, line, column):
            assert (path, line, column) == ("a.ts", 3, 1)
        case _:
            pytest.fail("a record matches its fields by position")
    wide = Wide(*range(9))
    assert copy.deepcopy(wide) == wide and type(copy.copy(wide)) is Wide
    assert pickle.loads(pickle.dumps(wide)) == tuple(range(9)) + (9, 10)


@pytest.mark.parametrize("arity", range(1, 13))
def test_every_number_of_fields_gets_its_fields_in_order(arity) -> None:
    """Each precompiled constructor, and a compiled one past them, puts every argument in its
    own field, by position and by name, as namedtuple's does."""
    fields = tuple(f"field{i}" for i in range(arity))
    made = make_record_class("Made", fields, (), __name__)
    reference = namedtuple("Made", fields)
    values = [f"v{i}" for i in range(arity)]
    assert made(*values) == reference(*values) == tuple(values)
    assert made(**dict(zip(fields, values, strict=True))) == tuple(values)
    assert [getattr(made(*values), field) for field in fields] == values
    assert repr(made(*values)) == repr(reference(*values))
    assert made.__doc__ == reference.__doc__
