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


class _ScopeWalk:
    """A scope's own declarations in document order, walked by cursor only as far as asked:
    the scope's subtree without entering a nested function, whose declarations (its
    parameters too) are its own. A handle's declaration sits at the top of a component,
    whose JSX after it need not be walked (a third of a page's facts' time went to it)."""

    def __init__(self, scope: tree_sitter.Node):
        self.found: list[tree_sitter.Node] = []
        self.cursor = scope.walk()  # bounded by the scope: it goes to no parent or sibling of it
        self.walking = self.cursor.goto_first_child()
        self.parameter = scope.child_by_field_name("parameter")  # `x => ...`'s lone parameter

    def up_to(self, limit: int | None) -> list[tree_sitter.Node]:
        """Every declaration that starts before byte `limit` (None: all of them), and perhaps
        some after: a walk in document order meets nodes in the order of their starts."""
        cursor, found = self.cursor, self.found
        while self.walking:
            node = cursor.node
            if limit is not None and node.start_byte >= limit:
                break
            kind = node.type
            if kind in DECLARATION_TYPES:
                found.append(node)
            if kind in FUNCTION_TYPES or not cursor.goto_first_child():
                while not cursor.goto_next_sibling():
                    if not cursor.goto_parent():
                        self.walking = False
                        break
        return found if self.parameter is None else [*found, self.parameter]


class Scopes:
    def __init__(self, file: SourceFile):
        self.file = file
        self._walks: dict[int, _ScopeWalk] = {}

    def declaration(self, use: tree_sitter.Node, name: str) -> tree_sitter.Node | None:
        """The nearest declaration of `name` before `use`, innermost function first, then the
        module's top level (where a declaration may also come later, as with functions)."""
        scope = use.parent
        while scope is not None:
            if scope.type in FUNCTION_TYPES or scope.type == "program":
                program = scope.type == "program"
                best = self._nearest(self._declarations_in(scope, None if program else use.start_byte),
                                     use, name, program)
                if best is not None:
                    return best
            scope = scope.parent
        return None

    def _nearest(self, candidates: list[tree_sitter.Node], use: tree_sitter.Node, name: str,
                 program: bool) -> tree_sitter.Node | None:
        """Of one scope's declarations, the last of `name` before `use` (at the top level, a
        later one too when none comes before)."""
        best = None
        for candidate in candidates:
            if (candidate.start_byte < use.start_byte or program) and self._binds(candidate, name):
                best = candidate
                if candidate.start_byte > use.start_byte:
                    break
        return best

    def _declarations_in(self, scope: tree_sitter.Node, before: int | None = None) -> list[tree_sitter.Node]:
        """Declarations that belong to this function (not to functions nested in it), in
        document order, and its lone parameter last: those that start before byte `before`
        at least (None: all)."""
        walk = self._walks.get(scope.id)
        if walk is None:
            walk = self._walks[scope.id] = _ScopeWalk(scope)
        return walk.up_to(before)

    def _binds(self, declaration: tree_sitter.Node, name: str) -> bool:
        if declaration.type in ("shorthand_property_identifier_pattern", "identifier"):
            return self.file.text(declaration) == name
        target = declaration.child_by_field_name(
            "left" if declaration.type == "for_in_statement" else
            "name" if declaration.type == "variable_declarator" else "pattern")
        return target is not None and target.type == "identifier" and self.file.text(target) == name


def file_scopes(project: Project, file: SourceFile) -> Scopes:
    return project.memo(("scopes", file.relpath), lambda: Scopes(file))
