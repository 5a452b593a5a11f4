"""Calls that run a Convex mutation, and which document they change.

Recognised by where the callee comes from, never by its name alone:
  react        const f = useMutation(api.x.y) (also .withOptimisticUpdate(...)), from
               "convex/react"; useConvexMutation(api.x.y) from "@convex-dev/react-query";
               TanStack's useMutation({ mutationFn: <one of those> }) then .mutate/.mutateAsync
  react-client useConvex().mutation(api.x.y, args) / a ConvexReactClient
  http-client  new ConvexHttpClient(url).mutation(api.x.y, args)
  fetch        fetchMutation(api.x.y, args) from "convex/nextjs"
  action       ctx.runMutation(api.x.y, args) in an action or HTTP action

The document a call changes is identified by the arguments the target validates with
`v.id("t")`, as table and expression, so different mutations on one document meet; a target
with none that reads the caller's auth changes the caller's document on every call; any other
target changes the same document only when called with identical arguments.
"""

from __future__ import annotations

from collections.abc import Callable

import tree_sitter

from mutlint.bundled_queries import bundle_query
from mutlint.convex.functions import enclosing_registered_function
from mutlint.convex.mutation_summary import mutation_summary
from mutlint.convex.references import function_ref
from mutlint.convex.scopes import file_scopes
from mutlint.convex.syntax import call_arguments, keep_only, project_imports, query_matches
from mutlint.convex.tables import unwrap
from mutlint.project import Project
from mutlint.records import Record
from mutlint.source import TSX, SourceFile

HANDLE_HOOKS = {("convex/react", "useMutation"), ("@convex-dev/react-query", "useConvexMutation")}
TANSTACK = ("@tanstack/react-query", "useMutation")
# Methods a client calls a mutation by (resolve); any other method call is not one.
CLIENT_METHODS = ("mutate", "mutateAsync", "mutation", "runMutation")
# The calls resolve can answer for: by a plain name, or by one of CLIENT_METHODS.
MAYBE_MUTATION_CALLS = bundle_query("(call_expression function: (identifier)) @call\n" + keep_only(
    "(call_expression function: (member_expression property: (property_identifier) @method)) @call",
    "method", CLIENT_METHODS), TSX)
BINDING_IMPORTS = HANDLE_HOOKS | {TANSTACK, ("convex/react", "useConvex")}
CLIENTS = (b"ConvexHttpClient", b"ConvexReactClient", b"ConvexClient")  # see _client_kind
CONCURRENT = frozenset({"http-client", "fetch", "action"})
_DECLARATORS = bundle_query("(variable_declarator name: (identifier) @name value: (_) @value)", TSX)


class MutationCall(Record):
    target: str  # the mutation's function id
    transport: str  # react | react-client | http-client | fetch | action
    document: str  # "table=expr; ...", or "<mutation>: ..." when the mutation finds it itself
    document_nodes: tuple[tree_sitter.Node, ...]  # the expressions in `document`


class HandleResolver:
    def __init__(self, project: Project, file: SourceFile):
        self.project = project
        self.file = file
        self.scopes = file_scopes(project, file)
        self.imports = project_imports(project, file)
        self._possible = self.can_call_mutations()
        # Names bound to a call's result anywhere in the file: only these can be handles, so
        # other callees are dismissed without a scope walk (which costs the nesting depth). A
        # bound value matters only as a hook's, useConvex()'s or a client constructor's result,
        # so a file with none of those (a Convex functions file) needs no walk of its tree.
        self._call_bound: set[str] = set()
        if self._possible and self._may_bind_handles():
            self._call_bound = {file.text(c["name"][0]) for c in query_matches(file, _DECLARATORS)
                                if unwrap(c["value"][0]).type in ("call_expression", "new_expression")}

    def _may_bind_handles(self) -> bool:
        imported = {(spec.module, spec.imported) for spec in self.imports.values()}
        return bool(imported & BINDING_IMPORTS) or any(name in self.file.data for name in CLIENTS)

    def _imported(self, name: str) -> tuple[str, str] | None:
        spec = self.imports.get(name)
        return (spec.module, spec.imported) if spec is not None else None

    def _callee_import(self, call: tree_sitter.Node) -> tuple[str, str] | None:
        callee = call.child_by_field_name("function") if call.type == "call_expression" else None
        if callee is None or callee.type != "identifier":
            return None
        return self._imported(self.file.text(callee))

    def _bound_value(self, identifier: tree_sitter.Node) -> tree_sitter.Node | None:
        if self.file.text(identifier) not in self._call_bound:
            return None
        declaration = self.scopes.declaration(identifier, self.file.text(identifier))
        if declaration is None or declaration.type != "variable_declarator":
            return None
        return unwrap(declaration.child_by_field_name("value"))

    def handle_reference(self, value: tree_sitter.Node | None) -> tree_sitter.Node | None:
        """The function reference a React handle was made from, if `value` is a handle."""
        value = unwrap(value) if value is not None else None
        if value is None:
            return None
        if value.type == "identifier":
            value = self._bound_value(value)
            if value is None:
                return None
        if value.type != "call_expression":
            return None
        callee = value.child_by_field_name("function")
        if callee is not None and callee.type == "member_expression" and \
                self.file.text(callee.child_by_field_name("property")) == "withOptimisticUpdate":
            return self.handle_reference(callee.child_by_field_name("object"))
        if self._callee_import(value) in HANDLE_HOOKS:
            args = call_arguments(value)
            return args[0] if args else None
        return None

    def _tanstack_function(self, value: tree_sitter.Node | None) -> tree_sitter.Node | None:
        """`useMutation({ mutationFn: handle })` from TanStack Query: the mutationFn's ref."""
        if value is None or value.type != "call_expression" or self._callee_import(value) != TANSTACK:
            return None
        args = call_arguments(value)
        if not args or args[0].type != "object":
            return None
        for member in args[0].named_children:
            if member.type == "pair" and self.file.text(member.child_by_field_name("key")) == "mutationFn":
                return self.handle_reference(member.child_by_field_name("value"))
        return None

    def can_call_mutations(self) -> bool:
        """Cheap test first: a file that imports no handle hook or fetchMutation and never
        says `.mutation(`, `.mutate` or `runMutation(` cannot contain a mutation call."""
        imported = {(spec.module, spec.imported) for spec in self.imports.values()}
        if imported & (HANDLE_HOOKS | {TANSTACK, ("convex/nextjs", "fetchMutation")}):
            return True
        data = self.file.data
        return b".mutation(" in data or b"runMutation(" in data

    def surely_not(self, call: tree_sitter.Node) -> bool:
        """What resolve() answers None for from the callee alone: a name bound to no call's
        result and not an imported fetchMutation, or a method no client calls mutations by."""
        if call.type != "call_expression" or not self._possible:
            return True
        callee = call.child_by_field_name("function")
        if callee is None:
            return True
        if callee.type == "identifier":
            name = self.file.text(callee)
            return name not in self._call_bound and \
                self._imported(name) != ("convex/nextjs", "fetchMutation")
        if callee.type == "member_expression":
            method = self.file.text(callee.child_by_field_name("property"))
            return method not in CLIENT_METHODS
        return True

    def resolve(self, call: tree_sitter.Node) -> MutationCall | None:
        found = _memo_target(self, call)
        return self._with_document(*found) if found is not None else None

    def target(self, call: tree_sitter.Node) -> tuple[str, str, tree_sitter.Node | None] | None:
        """(function id, transport, payload) of a call made the way a mutation is called,
        whatever that function turns out to be: resolve without the mutation's summary."""
        if call.type != "call_expression" or not self._possible:
            return None
        callee = call.child_by_field_name("function")
        args = call_arguments(call)
        if callee is None:
            return None
        reference, payload, transport = None, None, None
        if callee.type == "identifier":
            if self._imported(self.file.text(callee)) == ("convex/nextjs", "fetchMutation"):
                reference, payload, transport = (args[0] if args else None), args[1:2], "fetch"
            else:
                reference, payload, transport = self.handle_reference(callee), args[:1], "react"
        elif callee.type == "member_expression":
            method = self.file.text(callee.child_by_field_name("property"))
            receiver = callee.child_by_field_name("object")
            if method in ("mutate", "mutateAsync") and receiver.type == "identifier":
                reference = self._tanstack_function(self._bound_value(receiver))
                payload, transport = args[:1], "react"
            elif method == "mutation" and args:
                reference, payload = args[0], args[1:2]
                transport = self._client_kind(receiver)
            elif method == "runMutation" and args:
                function = enclosing_registered_function(self.project, self.file, call)
                if function is None or function.kind not in ("action", "httpAction"):
                    return None  # inside a mutation, runMutation joins the same transaction
                reference, payload, transport = args[0], args[1:2], "action"
        if reference is None or transport is None:
            return None
        ref = function_ref(self.file, reference)
        if ref is None:
            return None
        return ref.function_id, transport, payload[0] if payload else None

    def _client_kind(self, receiver: tree_sitter.Node) -> str | None:
        """react-client for useConvex() or a ConvexReactClient/ConvexClient, http-client for a
        ConvexHttpClient; None for anything else (a test harness's `t.mutation`, say)."""
        value = unwrap(receiver)
        if value.type == "identifier":
            value = self._bound_value(value)
        if value is None:
            return None
        if value.type == "call_expression" and self._callee_import(value) == ("convex/react", "useConvex"):
            return "react-client"
        if value.type == "new_expression":
            constructor = value.child_by_field_name("constructor")
            name = self.file.text(constructor) if constructor is not None else ""
            if name == "ConvexHttpClient":
                return "http-client"
            if name in ("ConvexReactClient", "ConvexClient"):
                return "react-client"
        return None

    def _with_document(self, target: str, transport: str,
                       payload: tree_sitter.Node | None) -> MutationCall | None:
        summary = mutation_summary(self.project, target)
        if summary is None or summary.kind != "mutation":
            return None  # not a mutation of this project: its arguments are unknown
        payload = unwrap(payload) if payload is not None else None
        if not summary.id_args:
            if summary.from_auth:
                # The caller's own document, as this mutation finds it.
                return MutationCall(target, transport, f"{target}: the caller's document", ())
            # It finds its document some other way: only identical arguments are the same one.
            text = " ".join(self.file.text(payload).split()) if payload is not None else "(none)"
            return MutationCall(target, transport, f"{target}: args {text}", ())
        if payload is None or payload.type != "object":
            text = " ".join(self.file.text(payload).split()) if payload is not None else "(none)"
            return MutationCall(target, transport, f"{target}: args {text}",
                                (payload,) if payload is not None else ())
        # Documents named by id: "table=expression", so two different mutations that take the
        # same id of the same table (under any argument name) change the same document.
        parts, nodes = [], []
        for name, table in summary.id_args:
            value = self._property(payload, name)
            code = " ".join(self.file.text(value).split()) if value is not None else "(absent)"
            parts.append(f"{table}={code}")
            if value is not None:
                nodes.append(value)
        return MutationCall(target, transport, "; ".join(sorted(parts)), tuple(nodes))

    def _property(self, payload: tree_sitter.Node, name: str) -> tree_sitter.Node | None:
        for member in payload.named_children:
            key = member.child_by_field_name("key") if member.type == "pair" else None
            if key is not None and self.file.text(key).strip("\"'") == name:
                return member.child_by_field_name("value")
            if member.type == "shorthand_property_identifier" and self.file.text(member) == name:
                return member
        return None


AUTH_CALLS = (b"getUserIdentity(", b"getAuthUserId(", b"getAuthSessionId(")


def finds_document_from_auth(project: Project, file: SourceFile, function) -> bool:
    """Does the handler (or a helper it passes ctx to, at any depth) read the caller's auth?
    (Following the calls forward: the files on the way are all it reads.)"""
    from mutlint.convex.callgraph import forward_units
    from mutlint.convex.graph_parts import file_units

    if function.handler is None:
        return False
    start = (file.relpath, function.handler.start_byte)
    for relpath, unit in forward_units(project, start, through_handlers=True):
        end = file_units(project, relpath).get(unit)
        data = project.raw(relpath) if end is not None else None
        if data is not None and any(call in data[unit:end] for call in AUTH_CALLS):
            return True
    return False


def _resolver(project: Project, file: SourceFile) -> HandleResolver:
    return project.memo(("handles", file.relpath), lambda: HandleResolver(project, file))


def mutation_call_dismisser(project: Project, file: SourceFile) -> Callable[[tree_sitter.Node], bool]:
    """For the file's calls, True where mutation_call surely answers None, from the callee
    alone (FactSpec.dismisses)."""
    return _resolver(project, file).surely_not


def call_target(project: Project, file: SourceFile, call: tree_sitter.Node) -> str | None:
    """The function a call runs when it is made the way a mutation is called (mutation_call's
    target), read from the call's file alone: whether it is a mutation of this project is the
    caller's to check. (The retention heuristics ask which mutations the pages call. In a run
    whose rules check no page, they ask once the functions dir was checked and its trees
    released, and each page's mutation_call parsed the mutation's file again, for a summary
    no rule used.)"""
    resolver = _resolver(project, file)
    if resolver.surely_not(call):
        return None
    found = _memo_target(resolver, call)
    return found[0] if found is not None else None


def _memo_target(resolver: HandleResolver, call: tree_sitter.Node):
    """HandleResolver.target once per call: a page's check asks mutation_call, its release
    call_target."""
    return resolver.project.memo(("call-target", resolver.file.relpath, call.id),
                                 lambda: resolver.target(call))


def mutation_call(project: Project, file: SourceFile, call: tree_sitter.Node) -> MutationCall | None:
    resolver = _resolver(project, file)
    if resolver.surely_not(call):
        return None  # most calls of a file: answered without a memo entry of their own
    key = ("mutation-call", file.relpath, call.id)
    return project.memo(key, lambda: resolver.resolve(call))
