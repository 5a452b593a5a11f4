"""Where a name is declared: the nearest variable, parameter, destructured property or for-of
binding visible from a use, searched function by function outwards (then the module)."""

from __future__ import annotations

import tree_sitter

from mutlint.convex.functions import FUNCTION_TYPES
from mutlint.project import Project
from mutlint.source import SourceFile

DECLARATION_TYPES = frozenset({
    "variable_declarator", "required_parameter", "optional_parameter", "for_in_statement",
    "shorthand_property_identifier_pattern",
})


class Scopes:
    def __init__(self, file: SourceFile):
        self.file = file
        self._declarations: dict[int, list[tree_sitter.Node]] = {}

    def declaration(self, use: tree_sitter.Node, name: str) -> tree_sitter.Node | None:
        """The nearest declaration of `name` before `use`, innermost function first, then the
        module's top level (where a declaration may also come later, as with functions)."""
        scope = use.parent
        while scope is not None:
            if scope.type in FUNCTION_TYPES or scope.type == "program":
                best = None
                for candidate in self._declarations_in(scope):
                    if (candidate.start_byte < use.start_byte or scope.type == "program") \
                            and self._binds(candidate, name):
                        best = candidate
                        if candidate.start_byte > use.start_byte:
                            break
                if best is not None:
                    return best
            scope = scope.parent
        return None

    def _declarations_in(self, scope: tree_sitter.Node) -> list[tree_sitter.Node]:
        """Declarations that belong to this function (not to functions nested in it), in
        document order: the scope's subtree walked by cursor without entering a nested
        function, whose declarations (its parameters too) are its own."""
        if scope.id not in self._declarations:
            found = []
            cursor = scope.walk()  # bounded by the scope: it goes to no parent or sibling of it
            walking = cursor.goto_first_child()
            while walking:
                node = cursor.node
                kind = node.type
                if kind in DECLARATION_TYPES:
                    found.append(node)
                if kind in FUNCTION_TYPES or not cursor.goto_first_child():
                    while not cursor.goto_next_sibling():
                        if not cursor.goto_parent():
                            walking = False
                            break
            parameter = scope.child_by_field_name("parameter")
            if parameter is not None:
                found.append(parameter)
            self._declarations[scope.id] = found
        return self._declarations[scope.id]

    def _binds(self, declaration: tree_sitter.Node, name: str) -> bool:
        if declaration.type in ("shorthand_property_identifier_pattern", "identifier"):
            return self.file.text(declaration) == name
        target = declaration.child_by_field_name(
            "left" if declaration.type == "for_in_statement" else
            "name" if declaration.type == "variable_declarator" else "pattern")
        return target is not None and target.type == "identifier" and self.file.text(target) == name


def file_scopes(project: Project, file: SourceFile) -> Scopes:
    return project.memo(("scopes", file.relpath), lambda: Scopes(file))
