"""mutlint: a linter for Convex mutation patterns (write conflicts, non-atomic flows, unbounded tables).

House convention for records, because a pre-commit run pays for every class it imports: an
object with state is a plain class with its attributes annotated in the class body and a
hand-written `__init__` (a fresh list or dict per instance where a default is one; `__slots__`
only where it helps, with a `__reduce__` if -j pickles many of them, as dependencies.Deps), and
`__eq__`/`__repr__` only where something compares or prints it (Finding, Diagnostic, YamlDoc);
an immutable record is a `mutlint.records.Record` (what `typing.NamedTuple` makes, without
its compiles of string annotations, records.py). Importing `dataclasses` costs about 43 M
instructions (it pulls in inspect, ast, dis and tokenize), and each class 1-2 M more, as it
compiles every generated method from source when its module is imported (`mutlint --version`
went from 174 M to 129 M without them). So dataclasses are kept only in modules a one-file check never
imports: audit_model.py and report/audit_report.py (`mutlint audit`, whose JSON is
`dataclasses.asdict`), ruletest.py (`mutlint test`), baseline.py (`--baseline`) and changes.py
(`--changed`).
"""

__version__ = "0.1.0"

from mutlint import bytecode_finder  # noqa: E402  (after the version: see the module)

bytecode_finder.install(__name__)
