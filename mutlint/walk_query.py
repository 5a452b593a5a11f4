"""Queries matched by a walk in Python instead of compiled by tree-sitter, for a run of a few
files.

tree-sitter analyses every query against the grammar's whole parse table when it compiles it:
25 M instructions for a query of one bare node type, about 15 M more for each parent node in
it. A pre-commit check of one page compiled 91 M of its 478 M instructions so; walking the
page's 5,700 nodes in Python instead, testing at each node the patterns rooted at its type,
costs about 9 M. A run of many files compiles once and matches in C, which is the better trade
there (rules/rule_set.py, FEW_FILES). The query's text is read by walk_patterns.py.

`WalkQuery.parse` takes the shapes mutlint's patterns and the model's queries compile to: node
types, `(_)` and `_`, anonymous nodes (`"void"`), fields, negated fields (`!field`), anchors
(`.`), captures, and the predicates eq?, not-eq?, match?, not-match?, any-of? (any other `?`
predicate goes to the caller's callback, as py-tree-sitter does). Anything else
(quantifiers, alternations, sibling sequences, supertypes, a child step with neither a field
nor an anchor, which can match several children) makes it return None, and the caller compiles
the query. At run time a tree with an error (MISSING nodes) or a field whose several nodes
match raises `NotWalkable`, for the same reason.

Matches come in tree-sitter's order: a match is given when the walk reaches the node of its
pattern's last step; those given at one node are ordered by their root's depth, then by
pattern. tests/test_walk_query.py holds this to tree-sitter's own matches.
"""

from __future__ import annotations

from collections.abc import Callable

import tree_sitter

from mutlint.walk_steps import TEXT_PREDICATES, Pattern, Step, TextTest, Unsupported

Captures = dict[str, list[tree_sitter.Node]]
Predicate = Callable[[str, list, int, Captures], bool]


class NotWalkable(Exception):
    """This tree or match is outside what the walk gives as tree-sitter would: compile."""


class WalkQuery:
    def __init__(self, patterns: list[Pattern]):
        self.patterns = patterns
        self.pattern_count = len(patterns)
        self._by_kind: dict[int, list[int]] = {}  # kind id -> the patterns rooted there
        self._any: list[int] = []  # patterns whose root is `(_)` or `_`
        for index, pattern in enumerate(patterns):
            root = pattern.root
            if root.kinds is None:
                self._any.append(index)
            for kind in root.kinds or ():
                self._by_kind.setdefault(kind, []).append(index)
        # What the root's fields must hold, two levels down, for the pattern to match (_gate):
        # a mutation file's query has eleven patterns rooted at calls, most of which fail on
        # most calls (a call of an identifier where a method call is wanted, a method other
        # than the ones asked for), and a node's fields are looked at once for all of them,
        # with no capture list or recursion of a match.
        self._gates: list[Gate] = [_gate(pattern.root, GATE_DEPTH) for pattern in patterns]

    @classmethod
    def parse(cls, source: str, language: tree_sitter.Language) -> WalkQuery | None:
        """The query, or None when it holds a shape the walk does not take (see the module)."""
        from mutlint.walk_patterns import read_patterns  # the reader: see walk_steps.py

        try:
            return cls(read_patterns(source, language))
        except Unsupported:
            return None

    def start_byte_for_pattern(self, index: int) -> int:
        return self.patterns[index].start_byte

    def matches(self, node: tree_sitter.Node, predicate: Predicate | None = None
                ) -> list[tuple[int, Captures]]:
        """Every match within `node`, as tree_sitter.QueryCursor.matches gives them.

        The nodes are visited in document order (preorder) by a tree cursor, which makes one
        node object per node visited: a node's `children` (or `named_children`) list makes
        one for each child and keeps them, so visiting only named nodes from those lists cost
        more than visiting every node by cursor (15 M instructions against 11.5 M for a page
        of 5,700 nodes). A match is given at the node of its last step; those given at one
        node are ordered by their root's place in the visit (an ancestor's comes first: it is
        shallower), then by pattern."""
        if node.has_error:
            raise NotWalkable("a tree with an error")
        found: list[tuple[int, Captures]] = []
        pending: dict[int, list[tuple[int, int, list]]] = {}  # finish node id -> matches
        by_kind, wildcards = self._by_kind, self._any
        cursor = node.walk()  # bounded by `node`: it goes to no parent or sibling of it
        visited = 0
        while True:
            current = cursor.node
            visited += 1
            starting = by_kind.get(current.kind_id)
            # Most nodes start no pattern and end none: nothing more is asked of them.
            if starting is not None or pending or wildcards:
                self._visit(current, visited, starting, pending, found, predicate)
            if cursor.goto_first_child():
                continue
            while not cursor.goto_next_sibling():
                if not cursor.goto_parent():
                    return found

    def _visit(self, current: tree_sitter.Node, visited: int, starting: list[int] | None,
               pending: dict[int, list[tuple[int, int, list]]], found: list[tuple[int, Captures]],
               predicate: Predicate | None) -> None:
        """The matches that start at `current` (the patterns rooted at its kind), kept in
        `pending` until the walk reaches their last step's node, and those that end there."""
        due = pending.pop(current.id, None) if pending else None
        if self._any:
            starting = sorted([*(starting or ()), *self._any])
        now = None
        if starting:
            gates = self._gates
            fields: dict[tuple[int, int], list[tree_sitter.Node]] = {}  # (node id, field) -> nodes
            for index in starting:
                gate = gates[index]
                if gate and not _possible(current, gate, fields):
                    continue
                captured: list[tuple[str, tree_sitter.Node]] = []
                last = _match(self.patterns[index].root, current, captured)
                if last is None:
                    continue
                if last.id == current.id:
                    now = now or []
                    now.append((visited, index, captured))
                else:
                    pending.setdefault(last.id, []).append((visited, index, captured))
        if due or now:
            # At one node: the matches of shallower roots first, then by pattern.
            for _, index, captured in [*sorted(due or (), key=lambda m: m[:2]), *(now or ())]:
                captures: Captures = {}
                for name, captured_node in captured:
                    captures.setdefault(name, []).append(captured_node)
                if self._holds(index, captures, predicate):
                    found.append((index, captures))

    def _holds(self, index: int, captures: Captures, predicate: Predicate | None) -> bool:
        """The predicates left to the end: eq?/not-eq? of two captures, or the caller's."""
        for name, args in self.patterns[index].predicates:
            if name in TEXT_PREDICATES:  # the others are the steps' tests (walk_patterns.py)
                texts = [n.text.decode("utf-8", "replace") for n in captures.get(args[0][0], ())]
                others = [n.text.decode("utf-8", "replace") for n in captures.get(args[1][0], ())]
                if not all((text == other) == (name == "eq?")
                           for text, other in zip(texts, others, strict=False)):
                    return False
            elif predicate is not None and not predicate(name, list(args), index, captures):
                return False
        return True


# A step's conditions on its fields' nodes: (field, kinds or None, text tests, the same of
# that node's fields), one for each child step of a field.
Gate = tuple[tuple[int, "frozenset[int] | None", tuple[TextTest, ...], "Gate"], ...]
GATE_DEPTH = 2  # a call's callee, and the callee's object and property


def _gate(step: Step, depth: int) -> Gate:
    """What `step`'s children need of the node's fields, `depth` levels down. A match needs,
    for each child step of a field, a node of that field of the step's kinds that passes its
    text tests and its own such conditions (_match_children tries that field's nodes): so a
    node whose fields have none cannot match, and tree-sitter finds no match there either.
    Recursion over the pattern, two levels deep."""
    if depth == 0:
        return ()
    conditions = []
    for child in step.children:
        if child.anchored or child.field is None:
            continue
        inner = _gate(child.step, depth - 1)
        if child.step.kinds is None and not child.step.tests and not inner:
            continue  # any node of the field would do, and it may have none: no condition
        conditions.append((child.field, child.step.kinds, child.step.tests, inner))
    return tuple(conditions)


def _possible(node: tree_sitter.Node, gate: Gate,
              fields: dict[tuple[int, int], list[tree_sitter.Node]]) -> bool:
    """Does `node` meet the gate's conditions? (`fields`: its fields' nodes, shared by the
    patterns tried at one node.)"""
    for field, kinds, tests, inner in gate:
        key = (node.id, field)
        found = fields.get(key)
        if found is None:
            found = fields[key] = node.children_by_field_id(field)
        for candidate in found:
            if kinds is not None and candidate.kind_id not in kinds:
                continue
            if tests and not all(_passes(test, candidate) for test in tests):
                continue
            if inner and not _possible(candidate, inner, fields):
                continue
            break
        else:
            return False
    return True


def _match(step: Step, node: tree_sitter.Node, captured: list) -> tree_sitter.Node | None:
    """The node of the step's last descendant step if `node` matches it (its captures added
    to `captured`), else None."""
    if step.kinds is not None:
        if node.kind_id not in step.kinds:
            return None
    elif step.named and not node.is_named:
        return None
    for test in step.tests:
        if not _passes(test, node):
            return None
    for field in step.negated:
        if node.child_by_field_id(field) is not None:
            return None
    mark = len(captured)
    for name in step.captures:
        captured.append((name, node))
    if not step.children:
        return node
    last = _match_children(step, node, captured)
    if last is None:
        del captured[mark:]
    return last


def _match_children(step: Step, node: tree_sitter.Node, captured: list) -> tree_sitter.Node | None:
    """Each child step in turn, after the child the one before it matched: an anchored one on
    the next named child, a field's on the one node of that field there that matches."""
    previous = None
    for child in step.children:
        if child.anchored:
            if previous is not None:
                candidate = previous.next_named_sibling
            else:
                candidate = node.named_child(0) if node.named_child_count else None
            if candidate is None or (child.field is not None and not any(
                    each.id == candidate.id for each in node.children_by_field_id(child.field))):
                return None
            found = _match(child.step, candidate, captured)
            if found is None:
                return None
            previous, last = candidate, found
            continue
        chosen = None
        for candidate in node.children_by_field_id(child.field):
            if previous is not None and not _after(candidate, previous):
                continue
            mark = len(captured)
            found = _match(child.step, candidate, captured)
            if found is None:
                continue
            if chosen is not None:
                raise NotWalkable("a field holds several nodes that match")
            chosen = (candidate, found, captured[mark:])
            del captured[mark:]
        if chosen is None:
            return None
        previous, last = chosen[0], chosen[1]
        captured.extend(chosen[2])
    if step.last_anchored and previous.next_named_sibling is not None:
        return None
    return last


def _passes(test: TextTest, node: tree_sitter.Node) -> bool:
    """py-tree-sitter's text predicates, on the node's text: compared as bytes where that is
    the same as comparing the decoded texts (see _text_tests), searched as text."""
    if test.kind == "eq":
        return (node.text == test.value) == test.positive
    if test.kind == "any":
        return (node.text in test.value) == test.positive
    return (test.value.search(node.text.decode("utf-8", "replace")) is not None) == test.positive


def _after(candidate: tree_sitter.Node, previous: tree_sitter.Node) -> bool:
    """Does sibling `candidate` come after `previous`? (Siblings follow in byte order; two
    empty ones at one place cannot be told apart so.)"""
    if candidate.start_byte == candidate.end_byte == previous.start_byte == previous.end_byte:
        raise NotWalkable("two empty siblings at one place")
    return candidate.start_byte >= previous.end_byte and candidate.id != previous.id
