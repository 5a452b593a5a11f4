"""The fact registry: named, reusable knowledge that rules ask for in YAML.

A fact is computed in Python once (for example by the Convex model) and used by any rule:
`facts: {FN: {fact: convex-function, where: {kind: [mutation]}}}`. Rules never import fact
code; they name facts, and an unknown name is a rule error. Fact values are flat records of
strings so they can be compared in `where`, grouped on in `group.by` and printed in messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from mutlint.records import Record

if TYPE_CHECKING:
    import tree_sitter

    from mutlint.findings import Span
    from mutlint.project import Project
    from mutlint.source import SourceFile

# A fact value is a flat record of strings. It may also carry the node it is about under
# NODE_KEY, as (SourceFile, Node) or, for a node of another file that may be released, as a
# PlainNode, so a rule can report there (`group.report-at`) or compute another fact on it
# (`of: FACT`).
FactValue = Mapping[str, Any]
NODE_KEY = "@node"


class PlainNode(Record):
    """A node of a file whose tree may be gone: where it is and what it says. Reporting there
    needs no tree; a fact computed on it parses the file again (resolve)."""

    relpath: str
    start: int  # bytes
    end: int
    type: str
    span: Span
    text: str

    def resolve(self, project: Project) -> tuple[SourceFile, tree_sitter.Node] | None:
        from mutlint.source import node_at

        file = project.file(self.relpath)
        node = node_at(file.root, self.start, self.end, self.type) if file is not None else None
        return (file, node) if node is not None else None


class FactSpec(Record):
    name: str
    summary: str
    attributes: tuple[str, ...]
    display: str  # the attribute `{NAME}` prints in a message
    # None: no value; a list: several values, and the match is considered once per value.
    compute: Callable[[Project, SourceFile, tree_sitter.Node], FactValue | list[FactValue] | None] | str
    # The fact can only have a value in a file that contains one of these (empty: unknown).
    # Lets the engine skip parsing files that no rule can match.
    tokens: tuple[bytes, ...] = ()
    # What the fact will need of a file after its tree is released (Project.release), kept as
    # plain data just before: run only when a rule in use names the fact.
    before_release: Callable[[Project, SourceFile], None] | str | None = None
    # For a file, a test that is True only where compute surely has no value for the node,
    # answered more cheaply: the evaluator skips such a candidate before matching the rule on
    # it. (A rule of every call of the form `name(...)`, as parallel-mutations-same-doc starts
    # from, has some twenty candidates for each one that runs a mutation.) Made once per file
    # and rule: what it needs of the file is looked up once, not once per candidate.
    dismisses: Callable[[Project, SourceFile], Callable[[tree_sitter.Node], bool]] | str | None = None


FACTS: dict[str, FactSpec] = {}
# What any fact may ask of a functions-dir file once its tree is released: the plain parts
# the whole-project model is built from (the call graph's), kept just before.
MODEL_PARTS: list[Callable[[Project, SourceFile], None] | str] = []


def register_model_part(keep: Callable[[Project, SourceFile], None] | str) -> None:
    MODEL_PARTS.append(keep)


def register_fact(spec: FactSpec) -> FactSpec:
    """Make a fact known by name. Its functions (compute, before_release, dismisses) may be
    given as `"module:function"`, imported when the fact is first computed (fact_spec)."""
    if spec.display not in spec.attributes:
        raise ValueError(f"fact {spec.name}: display attribute must be one of its attributes")
    FACTS[spec.name] = spec
    return spec


def fact_registry() -> dict[str, FactSpec]:
    """Every fact by name, as declared: what rules may name, the attributes they may use and
    the tokens a file needs. Its functions may still be named by strings: fact_spec has them."""
    import mutlint.convex.fact_catalogue  # noqa: F401  (declares the Convex model's facts)

    return FACTS


def fact_spec(name: str) -> FactSpec:
    """The fact with its functions imported (and kept so in FACTS)."""
    spec = FACTS.get(name) or fact_registry()[name]
    if isinstance(spec.compute, str) or isinstance(spec.before_release, str) \
            or isinstance(spec.dismisses, str):
        spec = FACTS[name] = spec._replace(compute=imported(spec.compute),
                                           before_release=imported(spec.before_release),
                                           dismisses=imported(spec.dismisses))
    return spec


def model_parts() -> list[Callable[[Project, SourceFile], None]]:
    fact_registry()
    return [imported(keep) for keep in MODEL_PARTS]


def imported(function: Any) -> Any:
    """The function a `"module:function"` string names, its module imported; anything else as
    it is."""
    if not isinstance(function, str):
        return function
    module, _, name = function.partition(":")
    return getattr(__import__(module, fromlist=[name]), name)
