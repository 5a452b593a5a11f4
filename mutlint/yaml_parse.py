"""Parsing YAML with PyYAML's safe loaders into a YamlDoc: plain data and where each value came
from, converted without recursion, under the limits of mutlint.yamldoc. Imported only when a
document is not in the YAML memo (mutlint.yaml_memo): PyYAML's import alone cost a pre-commit
run about 13 ms."""

from __future__ import annotations

from typing import Any

import yaml

from mutlint.errors import Diagnostic, UsageError
from mutlint.yamldoc import MAX_DEPTH, MAX_NODES, STANDARD_TAGS, DocPath, YamlDoc


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


# libyaml when PyYAML has it (10x faster); its error messages are worded differently, so an
# invalid document is read again by the pure-Python loader for the message users and tests see.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_depth(text: str, shown: str, loader: type) -> None:
    """PyYAML composes nodes recursively, so a document nested a few hundred levels deep would
    exhaust the stack before the depth limit below is checked. Its parser is iterative: count
    the depth on the event stream first."""
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line, column = event.start_mark.line + 1, event.start_mark.column + 1
                raise UsageError(Diagnostic(shown, f"nesting deeper than {MAX_DEPTH} levels",
                                            line, column))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def load_yaml_text(text: str, shown: str) -> YamlDoc:
    try:
        _check_depth(text, shown, _FAST_LOADER)
        root = _compose(text, _FAST_LOADER)
    except yaml.YAMLError:
        root = None
    if root is None:  # invalid, or empty: the pure-Python loader says which, in its words
        root = _compose_with_messages(text, shown)
    doc = YamlDoc(shown, None)
    if root is None:
        return doc
    doc.data = _convert(root, doc, yaml.SafeLoader(""))
    return doc


def _compose(text: str, loader_class: type) -> yaml.Node | None:
    loader = loader_class(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _compose_with_messages(text: str, shown: str) -> yaml.Node | None:
    loader = yaml.SafeLoader(text)
    try:
        _check_depth(text, shown, yaml.SafeLoader)
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise UsageError(Diagnostic(shown, f"invalid YAML: {problem}", line, column)) from None
    except yaml.YAMLError as exc:
        raise UsageError(Diagnostic(shown, f"invalid YAML: {exc}")) from None
    finally:
        loader.dispose()
    return root


def _convert(root: yaml.Node, doc: YamlDoc, constructor: yaml.SafeLoader) -> Any:
    """Turn a composed node graph into dicts, lists and scalars without recursion."""
    nodes_seen = 0
    result_holder: list[Any] = [None]
    # Each work item: (node, doc_path, container, slot) -- the result goes into container[slot].
    stack: list[tuple[yaml.Node, DocPath, Any, Any]] = [(root, (), result_holder, 0)]
    visited: set[int] = set()
    while stack:
        node, doc_path, container, slot = stack.pop()
        nodes_seen += 1
        if id(node) in visited:
            doc.aliased = True
        visited.add(id(node))
        if nodes_seen > MAX_NODES:
            line, column = _mark(node)
            raise UsageError(
                Diagnostic(doc.path, f"document has more than {MAX_NODES} values "
                           "(aliases expanding too far?)", line, column)
            )
        if len(doc_path) > MAX_DEPTH:
            line, column = _mark(node)
            raise UsageError(
                Diagnostic(doc.path, f"nesting deeper than {MAX_DEPTH} levels", line, column)
            )
        doc.value_marks.setdefault(doc_path, _mark(node))
        if node.tag not in STANDARD_TAGS:
            line, column = _mark(node)
            raise UsageError(Diagnostic(doc.path, f"unsupported YAML tag {node.tag} (only plain "
                                        "YAML values are allowed)", line, column))
        if isinstance(node, yaml.ScalarNode):
            try:
                container[slot] = constructor.construct_object(node)
            except yaml.YAMLError as exc:
                line, column = _mark(node)
                raise UsageError(Diagnostic(doc.path, f"invalid value: {exc}", line, column)) from None
        elif isinstance(node, yaml.SequenceNode):
            items: list[Any] = [None] * len(node.value)
            container[slot] = items
            for index in reversed(range(len(node.value))):
                stack.append((node.value[index], (*doc_path, index), items, index))
        elif isinstance(node, yaml.MappingNode):
            mapping: dict[Any, Any] = {}
            container[slot] = mapping
            pending = []
            for key_node, value_node in node.value:
                line, column = _mark(key_node)
                if not isinstance(key_node, yaml.ScalarNode):
                    raise UsageError(Diagnostic(doc.path, "mapping keys must be plain values",
                                                line, column))
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise UsageError(Diagnostic(doc.path, "YAML merge keys (<<) are not supported",
                                                line, column))
                key = constructor.construct_object(key_node)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise UsageError(Diagnostic(doc.path, "mapping keys must be plain values",
                                                line, column))
                if key in mapping:
                    raise UsageError(Diagnostic(doc.path, f"duplicate key {key!r}", line, column))
                mapping[key] = None
                doc.key_marks[(*doc_path, key)] = (line, column)
                pending.append((value_node, (*doc_path, key), mapping, key))
            stack.extend(reversed(pending))
    return result_holder[0]
