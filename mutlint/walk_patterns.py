"""A query's text read as the patterns walk_query.py matches (walk_steps.py): the steps of
each pattern, with its text predicates moved onto the steps whose captures they test. A warm
run reads its patterns back from the memo (remembered_walks.py) and never imports this module.

`read_patterns` raises Unsupported for any shape the walk does not take (see walk_query.py),
and for names the grammar lacks: the caller compiles such a query, and tree-sitter reports what
it reports. Generic and tree-sitter only.
"""

from __future__ import annotations

import re

import tree_sitter

from mutlint.lazy_regex import LazyRegex
from mutlint.regex_guard import anchored_words
from mutlint.walk_steps import TEXT_PREDICATES, Child, Pattern, Step, TextTest, Unsupported

# Built-ins py-tree-sitter would apply itself, which the walk does not: such a query is compiled.
# (py-tree-sitter 0.26 neither applies not-any-of? nor hands it to the callback: also left.)
_OTHER_BUILTINS = frozenset({"any-eq?", "any-not-eq?", "any-match?", "any-not-match?", "is?",
                             "is-not?", "set!", "select-adjacent!", "strip!", "not-any-of?"})
_TOKENS = LazyRegex(r"""
    (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<comment>;[^\n]*)
  | (?P<capture>@[\w.\-]+)
  | (?P<predicate>\#[\w.\-]+[?!])
  | (?P<field>[A-Za-z_]\w*)\s*:
  | (?P<negated>![A-Za-z_]\w*)
  | (?P<name>[A-Za-z_][\w.\-]*)
  | (?P<punct>[()\[\].*+?/])
  | (?P<space>\s+)
""", re.VERBOSE)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "\\": "\\", '"': '"'}


def read_patterns(source: str, language: tree_sitter.Language) -> list[Pattern]:
    return _Parser(source, language).patterns()


class _Parser:
    def __init__(self, source: str, language: tree_sitter.Language):
        self.language = language
        self.tokens: list[tuple[str, str, int]] = []  # (kind, text, byte offset)
        position = offset = 0  # in characters, and in bytes (what tree-sitter counts)
        while position < len(source):
            found = _TOKENS.match(source, position)
            if found is None:
                raise Unsupported(source[position:position + 20])
            if found.lastgroup not in ("space", "comment"):
                text = found.group("field") if found.lastgroup == "field" else found.group()
                self.tokens.append((found.lastgroup, text, offset))
            offset += len(found.group().encode())
            position = found.end()
        self.at = 0

    def peek(self, ahead: int = 0) -> tuple[str, str, int]:
        index = self.at + ahead
        return self.tokens[index] if index < len(self.tokens) else ("end", "", -1)

    def take(self, text: str | None = None) -> tuple[str, str, int]:
        token = self.peek()
        if token[0] == "end" or (text is not None and token[1] != text):
            raise Unsupported(f"expected {text!r}")
        self.at += 1
        return token

    def patterns(self) -> list[Pattern]:
        found = []
        while self.peek()[0] != "end":
            start = self.peek()[2]
            predicates: list = []
            # `((node) ...)` or `("text" ...)`: a group; `(type ...)` and `(_ ...)`: a node
            if self.peek()[1] == "(" and (self.peek(1)[1] in ("(", "[") or self.peek(1)[0] == "string"):
                root = self.group(predicates)
            else:
                root = self.step(predicates)
            tests, rest = _text_tests(predicates)
            found.append(Pattern(_with_tests(root, tests), tuple(rest), start))
        return found

    def group(self, predicates: list) -> Step:
        """`((node) @capture (#predicate ...))`: one node and its predicates (several nodes
        would be a sibling sequence, which the walk does not take)."""
        self.take("(")
        root = None
        while self.peek()[1] != ")":
            if self.peek()[1] == "(" and self.peek(1)[0] == "predicate":
                predicates.append(self.predicate())
            elif root is None:
                root = self.step(predicates)
            else:
                raise Unsupported("a sibling sequence")
        self.take(")")
        if root is None or self.peek()[0] == "capture" or self.peek()[1] in ("?", "*", "+"):
            raise Unsupported("an empty group, or one captured or quantified")
        return root

    def with_captures(self, step: Step) -> Step:
        names = []
        while self.peek()[0] == "capture":
            names.append(self.take()[1][1:])
        if self.peek()[1] in ("?", "*", "+"):
            raise Unsupported("a quantifier")
        return step._replace(captures=step.captures + tuple(names)) if names else step

    def step(self, predicates: list) -> Step:
        kind, text, _ = self.peek()
        if kind == "string":
            self.take()
            return self.with_captures(Step(self.kinds(_unescape(text[1:-1]), False), False, (),
                                           (), (), False))
        if text == "_":
            self.take()
            return self.with_captures(Step(None, None, (), (), (), False))
        if text != "(":
            raise Unsupported(f"unexpected {text!r}")
        self.take("(")
        kind, name, _ = self.take()
        if kind != "name" or self.peek()[1] == "/":
            raise Unsupported("not a node type")
        kinds = None if name == "_" else self.kinds(name, True)
        children: list[Child] = []
        negated: list[str] = []
        anchored = last_anchored = False
        while self.peek()[1] != ")":
            kind, text, _ = self.peek()
            if text == ".":
                self.take()
                anchored = last_anchored = True
                continue
            last_anchored = False
            if kind == "negated":
                self.take()
                negated.append(self.field_id(text[1:]))
            elif text == "(" and self.peek(1)[0] == "predicate":
                predicates.append(self.predicate())
            elif kind == "field":
                self.take()
                children.append(Child(self.field_id(text), anchored,
                                      self.child_step(predicates, anchored)))
            elif anchored:
                children.append(Child(None, True, self.child_step(predicates, True)))
            else:
                raise Unsupported("a child with neither a field nor an anchor")
            anchored = False
        self.take(")")
        if last_anchored and not children:
            raise Unsupported("an anchor with no child")
        step = Step(kinds, True, (), tuple(negated), tuple(children), last_anchored)
        return self.with_captures(step)

    def child_step(self, predicates: list, anchored: bool) -> Step:
        if self.peek()[1] == "(" and self.peek(1)[1] == "(":
            raise Unsupported("a grouping below a node")
        step = self.step(predicates)
        if anchored and not step.named:
            raise Unsupported("an anchored step that is not a named node")
        return step

    def field_id(self, name: str) -> int:
        found = self.language.field_id_for_name(name)
        if found is None:
            raise Unsupported(f"field {name}")
        return found

    def kinds(self, name: str, named: bool) -> frozenset[int]:
        """The kind ids a node of this name has in trees (an alias has its own); none for a
        hidden name, such as a supertype's, whose nodes are of their subtypes' types."""
        found = _kind_ids(self.language).get((name, named))
        if not found or name in ("ERROR", "MISSING"):
            raise Unsupported(f"node type {name}")
        return found

    def predicate(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        self.take("(")
        name = self.take()[1][1:]
        if name in _OTHER_BUILTINS or not name.endswith("?"):
            raise Unsupported(f"predicate {name}")
        args = []
        while self.peek()[1] != ")":
            kind, text, _ = self.take()
            if kind == "capture":
                args.append((text[1:], "capture"))
            elif kind == "string":
                args.append((_unescape(text[1:-1]), "string"))
            else:
                raise Unsupported(f"predicate argument {text}")
        self.take(")")
        if name in TEXT_PREDICATES and (len(args) < 2 or args[0][1] != "capture" or (
                name != "any-of?" and len(args) != 2)):
            raise Unsupported(f"predicate {name} arguments")
        if name == "any-of?" and any(kind != "string" for _, kind in args[1:]):
            raise Unsupported("any-of? with a capture")
        if name.endswith("match?") and args[1][1] != "string":
            raise Unsupported("match? with a capture")
        return name, tuple(args)


def _text_tests(predicates: list) -> tuple[dict[str, list[TextTest]], list]:
    """The predicates that test one capture's text against strings, as tests by capture, and
    the rest (two captures compared, the caller's). Bytes compare as their decoded texts
    would unless a string holds U+FFFD (what decoding makes of bytes that are not UTF-8): such
    a query is compiled."""
    tests: dict[str, list[TextTest]] = {}
    rest = []
    for name, args in predicates:
        strings = [value for value, kind in args[1:] if kind == "string"]
        if name not in TEXT_PREDICATES or len(strings) != len(args) - 1:
            rest.append((name, args))
            continue
        if not name.endswith("match?") and any("\ufffd" in value for value in strings):
            raise Unsupported("a string that bytes cannot stand for")
        positive = not name.startswith("not-")
        if name == "any-of?":
            test = TextTest("any", frozenset(value.encode() for value in strings), True)
        elif name.endswith("match?"):
            words = _anchored_words(strings[0])
            if words is not None:
                test = TextTest("any", words, positive)
                tests.setdefault(args[0][0], []).append(test)
                continue
            try:
                test = TextTest("match", re.compile(strings[0]), positive)
            except re.error as exc:  # tree-sitter's compile reports it as before
                raise Unsupported("a regex Python does not take") from exc
        else:
            test = TextTest("eq", strings[0].encode(), positive)
        tests.setdefault(args[0][0], []).append(test)
    return tests, rest


def _anchored_words(regex: str) -> frozenset[bytes] | None:
    """The texts a regex of anchored words matches (regex_guard.anchored_words: `^word$`,
    `^(word|word...)$`, a rule's method names mostly), or several such joined as shared
    patterns join them (`(?:^(...)$)|(?:^(...)$)`, shared_patterns.py): a set lookup instead
    of a compile (0.3 to 1.5 M instructions of a pre-commit run each) and a search per node.
    `$` also matches before a final newline, so each word is there with one too; the words
    are ASCII, so bytes compare as the decoded texts would."""
    if regex.startswith("(?:") and regex.endswith(")"):
        parts = [anchored_words(part) for part in regex[3:-1].split(")|(?:")]
    else:
        parts = [anchored_words(regex)]
    if None in parts:
        return None
    return frozenset(text.encode() for words in parts for word in words
                     for text in (word, f"{word}\n"))


def _with_tests(step: Step, tests: dict[str, list[TextTest]]) -> Step:
    """The pattern with each text test on the steps that bear its capture (a pattern's steps
    are a few nodes deep, so recursion here is bounded by the query, never by a tree)."""
    own = tuple(test for name in step.captures for test in tests.get(name, ()))
    children = tuple(child._replace(step=_with_tests(child.step, tests)) for child in step.children)
    return step._replace(tests=own, children=children)


_KIND_IDS: dict[int, dict[tuple[str, bool], frozenset[int]]] = {}


def _kind_ids(language: tree_sitter.Language) -> dict[tuple[str, bool], frozenset[int]]:
    """(name, named) -> the visible kind ids of that name, per grammar (a run has two)."""
    key = id(language)
    if key not in _KIND_IDS:
        found: dict[tuple[str, bool], set[int]] = {}
        for kind in range(language.node_kind_count):
            if language.node_kind_is_visible(kind):
                name = language.node_kind_for_id(kind)
                found.setdefault((name, language.node_kind_is_named(kind)), set()).add(kind)
        _KIND_IDS[key] = {each: frozenset(kinds) for each, kinds in found.items()}
    return _KIND_IDS[key]


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text  # most strings: without compiling the regex below
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)
