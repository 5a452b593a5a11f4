"""mutlint: a linter for Convex mutation patterns (write conflicts, non-atomic flows, unbounded tables).

House convention for records, because a pre-commit run pays for every class it imports: an
immutable record is a `typing.NamedTuple`, and an object with state is a
`@dataclass(eq=False, repr=False)` unless something compares or prints it. On Python 3.11 a
dataclass compiles each generated method from source when its module is imported (about a
millisecond a class on a slow machine, six methods for a frozen one), and a check of one file
imports some sixty classes; a NamedTuple costs a fifth of a frozen dataclass.
"""

__version__ = "0.1.0"
