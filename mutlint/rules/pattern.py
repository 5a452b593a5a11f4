"""Compile a code pattern with metavariables into tree-sitter query source.

`$CTX.db.patch($ID, $$$REST)` is parsed with the rule's grammar and turned into one query
pattern: `$X` becomes a capture `@X` on a wildcard node, a repeated `$X` a second capture tied
to the first with `#eq?`, `$_` a wildcard without capture, literal leaves (`db`, `patch`,
`"users"`) `#eq?` predicates, and children of list-like nodes (arguments, arrays, objects,
statement blocks) are anchored so `f($A)` only matches calls with exactly one argument.
`$$$X` stands for zero or more siblings: the query anchors the fixed siblings before and after
it, and the evaluator binds `$$$X` to the siblings in between (tree-sitter's own quantified
captures are not exact next to anchors).
"""

from __future__ import annotations

import tree_sitter

from mutlint.lazy_regex import LazyRegex
from mutlint.records import Record
from mutlint.source import first_syntax_error, ts_parser

# Compiled at first use: a start-up whose patterns come from the YAML memo compiles none.
METAVAR = LazyRegex(r"^\$([A-Z][A-Z0-9_]*|_)$")
MULTI_METAVAR = LazyRegex(r"^\$\$\$([A-Z][A-Z0-9_]*)?$")
ROOT_CAPTURE = "_match"


class PatternError(Exception):
    """The pattern cannot be compiled; `offset` is a byte offset into the pattern, if known."""

    def __init__(self, message: str, offset: int | None = None):
        super().__init__(message)
        self.offset = offset


class SequenceCheck(Record):
    """Arity check and `$$$` binding for the children of the node captured as `capture`."""

    capture: str
    prefix: int  # fixed children before the `$$$`
    suffix: int  # fixed children after it
    has_ellipsis: bool
    bind: str | None  # metavariable that receives the children in between


class CompiledPattern:
    query: str
    metavariables: list[str]  # single-node, in order of appearance
    multi_metavariables: list[str]
    sequences: list[SequenceCheck]
    root_type: str
    literals: list[str]  # code every match contains (prefiltering)
    # (hidden capture, text) of each literal leaf, which an `#eq?` predicate of `query` tests
    literal_checks: list[tuple[str, str]]

    def __init__(self, query: str, metavariables: list[str] | None = None,
                 multi_metavariables: list[str] | None = None, sequences: list[SequenceCheck] | None = None,
                 root_type: str = "_", literals: list[str] | None = None,
                 literal_checks: list[tuple[str, str]] | None = None) -> None:
        self.query = query
        self.metavariables = [] if metavariables is None else metavariables
        self.multi_metavariables = [] if multi_metavariables is None else multi_metavariables
        self.sequences = [] if sequences is None else sequences
        self.root_type = root_type
        self.literals = [] if literals is None else literals
        self.literal_checks = [] if literal_checks is None else literal_checks

    def to_plain(self) -> list:
        """The pattern as JSON keeps it (the YAML memo's: mutlint.yaml_memo), for from_plain."""
        return [self.query, self.metavariables, self.multi_metavariables,
                [list(check) for check in self.sequences], self.root_type, self.literals,
                [list(pair) for pair in self.literal_checks]]

    @classmethod
    def from_plain(cls, plain: object) -> CompiledPattern:
        """What to_plain kept, checked kind by kind, as memos are: ValueError if anything is
        off. Every capture it names must be in the query, which must capture the match."""
        if type(plain) is not list or len(plain) != 7:
            raise ValueError("not a compiled pattern")
        query, singles, multis, sequences, root_type, literals, checks = plain
        if type(query) is not str or type(root_type) is not str or f"@{ROOT_CAPTURE}" not in query:
            raise ValueError("not a compiled pattern")
        for names in (singles, multis, literals):
            if type(names) is not list or any(type(name) is not str for name in names):
                raise ValueError("not a compiled pattern")
        made = []
        for check in _plain_list(sequences):
            if type(check) is not list or len(check) != 5:
                raise ValueError("not a compiled pattern")
            capture, prefix, suffix, has_ellipsis, bind = check
            if type(capture) is not str or type(prefix) is not int or type(suffix) is not int \
                    or prefix < 0 or suffix < 0 or type(has_ellipsis) is not bool \
                    or not (bind is None or type(bind) is str):
                raise ValueError("not a compiled pattern")
            made.append(SequenceCheck(capture, prefix, suffix, has_ellipsis, bind))
        pairs = []
        for pair in _plain_list(checks):
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str \
                    or type(pair[1]) is not str:
                raise ValueError("not a compiled pattern")
            pairs.append((pair[0], pair[1]))
        if any(f"@{name}" not in query for name in
               (*singles, *(capture for capture, _ in pairs), *(check.capture for check in made))):
            raise ValueError("not a compiled pattern")
        return cls(query, singles, multis, made, root_type, literals, pairs)


def _plain_list(value: object) -> list:
    if type(value) is not list:
        raise ValueError("not a compiled pattern")
    return value


def query_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def literal_predicate(capture: str, text: str) -> str:
    """The predicate a literal leaf's capture is tested with (shared_patterns.py finds it)."""
    return f"(#eq? @{capture} {query_string(text)})"


def _named_children_with_fields(node: tree_sitter.Node) -> list[tuple[str | None, tree_sitter.Node]]:
    """The children a pattern constrains: named ones (not comments) and field-named tokens."""
    result = []
    cursor = node.walk()
    if not cursor.goto_first_child():
        return result
    while True:
        child = cursor.node
        name = cursor.field_name
        if child is not None and child.type != "comment" and (child.is_named or name):
            result.append((name, child))
        if not cursor.goto_next_sibling():
            break
    return result


def _pattern_target(tree: tree_sitter.Tree, source: bytes, selector: str | None) -> tree_sitter.Node:
    root = tree.root_node
    if selector is not None:
        cursor = root.walk()
        while True:  # iterative pre-order walk
            if cursor.node.type == selector and cursor.node.is_named:
                return cursor.node
            if cursor.goto_first_child():
                continue
            while not cursor.goto_next_sibling():
                if not cursor.goto_parent():
                    raise PatternError(f"selector `{selector}` does not occur in the context")
    statements = [c for c in root.named_children if c.type != "comment"]
    if len(statements) != 1:
        raise PatternError("a pattern must be one expression or statement "
                           "(use `context` and `selector` for fragments)")
    node = statements[0]
    if node.type == "expression_statement" and not source.rstrip().endswith(b";"):
        inner = [c for c in node.named_children if c.type != "comment"]
        if len(inner) == 1:
            node = inner[0]
    return node


def _metavariable_of(node: tree_sitter.Node, text: str) -> str | None:
    """`$X` / `$_` for a leaf or a statement made of only a metavariable, else None."""
    if node.type == "expression_statement":
        inner = [c for c in node.named_children if c.type != "comment"]
        if len(inner) == 1 and inner[0].named_child_count == 0:
            candidate = inner[0].text.decode("utf-8", "replace")
            if METAVAR.match(candidate) or MULTI_METAVAR.match(candidate):
                return candidate
        return None
    if node.named_child_count == 0 and (METAVAR.match(text) or MULTI_METAVAR.match(text)):
        return text
    return None


class _Compiler:
    def __init__(self, source: bytes):
        self.source = source
        self.predicates: list[str] = []
        self.counter = 0
        self.result = CompiledPattern(query="")
        self.seen_single: dict[str, int] = {}

    def hidden(self, prefix: str) -> str:
        self.counter += 1
        return f"_{prefix}{self.counter}"

    def text(self, node: tree_sitter.Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def single(self, name: str) -> str:
        if name == "_":
            return "(_)"
        count = self.seen_single.get(name, 0)
        self.seen_single[name] = count + 1
        if count == 0:
            self.result.metavariables.append(name)
            return f"(_) @{name}"
        alias = f"{name}__{count + 1}"
        self.predicates.append(f"(#eq? @{name} @{alias})")
        return f"(_) @{alias}"

    def compile(self, target: tree_sitter.Node) -> str:
        # Post-order over the pattern tree with an explicit stack: children first, then parent.
        built: dict[int, str] = {}
        multi_at: dict[int, str] = {}  # node id -> "$$$" metavariable text, for list handling
        stack: list[tuple[tree_sitter.Node, bool]] = [(target, False)]
        while stack:
            node, expanded = stack.pop()
            text = self.text(node)
            meta = _metavariable_of(node, text)
            if meta is not None:
                if MULTI_METAVAR.match(meta):
                    multi_at[node.id] = meta
                    built[node.id] = ""
                else:
                    built[node.id] = self.single(METAVAR.match(meta).group(1))
                continue
            if not node.is_named:
                built[node.id] = query_string(text)
                continue
            if node.type == "string":
                built[node.id] = self.string_literal(node)
                continue
            children = _named_children_with_fields(node)
            if not children:
                if node.child_count == 0:
                    capture = self.hidden("l")
                    self.predicates.append(literal_predicate(capture, text))
                    self.result.literal_checks.append((capture, text))
                    self.result.literals.append(text)
                    built[node.id] = f"({node.type}) @{capture}"
                else:
                    built[node.id] = self.children_sexpr(node, [], multi_at, built)
                continue
            if not expanded:
                stack.append((node, True))
                stack.extend((child, False) for _, child in reversed(children))
                continue
            built[node.id] = self.children_sexpr(node, children, multi_at, built)
        if target.id in multi_at:
            raise PatternError("`$$$` stands for several siblings and cannot be the whole pattern")
        return built[target.id]

    def string_literal(self, node: tree_sitter.Node) -> str:
        fragments = [c for c in node.named_children if c.type == "string_fragment"]
        if len(fragments) == 1 and node.named_child_count == 1:
            content = self.text(fragments[0])
            meta = METAVAR.match(content)
            if meta:  # "$T" binds the whole string literal
                return self.single(meta.group(1))
            capture = self.hidden("s")
            self.predicates.append(literal_predicate(capture, content))
            self.result.literal_checks.append((capture, content))
            self.result.literals.append(content)
            return f"(string (string_fragment) @{capture})"
        capture = self.hidden("l")
        self.predicates.append(literal_predicate(capture, self.text(node)))
        self.result.literal_checks.append((capture, self.text(node)))
        self.result.literals.append(self.text(node))
        return f"(string) @{capture}"

    def children_sexpr(self, node, children, multi_at, built) -> str:
        if children and all(name for name, _ in children):
            parts = [f"{name}: {built[child.id]}" for name, child in children]
            return f"({node.type} {' '.join(parts)})"
        ellipses = [i for i, (_, child) in enumerate(children) if child.id in multi_at]
        if len(ellipses) > 1:
            raise PatternError("only one `$$$` is allowed among siblings",
                               children[ellipses[1]][1].start_byte)
        parts = [f"{name}: {built[c.id]}" if name else built[c.id] for name, c in children]
        if not ellipses:
            if parts:
                return f"({node.type} . {' . '.join(parts)} .)"
            capture = self.hidden("seq")
            self.result.sequences.append(SequenceCheck(capture, 0, 0, False, None))
            return f"({node.type}) @{capture}"
        at = ellipses[0]
        bind_text = multi_at[children[at][1].id]
        bind = bind_text[3:] or None
        if bind and bind in self.result.multi_metavariables:
            raise PatternError(f"`$$${bind}` is used twice", children[at][1].start_byte)
        if bind:
            self.result.multi_metavariables.append(bind)
        prefix, suffix = parts[:at], parts[at + 1 :]
        inner = ""
        if prefix:
            inner += " . " + " . ".join(prefix)
        if suffix:
            inner += " " + " . ".join(suffix) + " ."
        if bind is None and not prefix and not suffix:
            return f"({node.type}{inner})"  # any number of children: nothing to check or bind
        capture = self.hidden("seq")
        self.result.sequences.append(SequenceCheck(capture, len(prefix), len(suffix), True, bind))
        return f"({node.type}{inner}) @{capture}"


def compile_pattern(pattern: str, language: str, *, context: str | None = None,
                    selector: str | None = None) -> CompiledPattern:
    """Compile `pattern` (or `selector` within `context`) for `language`."""
    code = context if context is not None else pattern
    source = code.encode("utf-8")
    tree = ts_parser(language).parse(source)
    error = first_syntax_error(tree)
    if error is not None:
        raise PatternError(f"the pattern is not valid {language} code near "
                           f"`{error.text.decode('utf-8', 'replace')[:30] or error.type}`",
                           error.start_byte)
    target = _pattern_target(tree, source, selector)
    compiler = _Compiler(source)
    core = compiler.compile(target)
    predicates = (" " + " ".join(compiler.predicates)) if compiler.predicates else ""
    compiler.result.query = f"({core} @{ROOT_CAPTURE}{predicates})"
    compiler.result.root_type = target.type
    return compiler.result
