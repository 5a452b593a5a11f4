"""What a caller needs to know about a mutation, as plain data the cache can keep.

Deciding whether two calls from a page race needs three facts about the mutation they run:
which arguments name documents (`v.id("t")` validators), whether it finds its document from
the caller's auth, and whether it changes existing documents at all. Each is read from the
mutation's own file and the files of the helpers it passes ctx to (following its calls
forward), never from the whole functions dir, and the summary is stored (Project.stored) with
the files it was computed from: a check of one edited page then reads the summaries of the
mutations it calls and parses nothing but the page, and an edited mutation makes stale only
the summaries of the mutations whose transaction runs its code.
"""

from __future__ import annotations

from mutlint.convex.flows import function_rewrites
from mutlint.convex.functions import args_validators, function_by_id
from mutlint.convex.tables import id_validator_table
from mutlint.project import Project
from mutlint.records import Record


class MutationSummary(Record):
    kind: str  # the registered function's kind: mutation, query, action, ...
    id_args: tuple[tuple[str, str], ...]  # (argument, table) for each v.id argument, sorted
    from_auth: bool  # finds its document from the caller's auth (handler or helpers)
    rewrites: bool  # patches, replaces or deletes existing documents


def mutation_summary(project: Project, function_id: str) -> MutationSummary | None:
    """None when the function is not in this project (its arguments are unknown)."""
    return project.stored(("mutation-summary", function_id), lambda: _summarise(project, function_id),
                          _encode, _decode)


def _summarise(project: Project, function_id: str) -> MutationSummary | None:
    from mutlint.convex.handles import finds_document_from_auth  # handles use the summaries

    found = function_by_id(project, function_id)
    if found is None:
        return None
    file, function = found
    if function.kind != "mutation":
        return MutationSummary(function.kind, (), False, False)
    validators = args_validators(file, function)
    id_args = tuple(sorted((name, table) for name, code in validators.items()
                           if (table := id_validator_table(code))))
    return MutationSummary(
        kind=function.kind,
        id_args=id_args,
        from_auth=not id_args and finds_document_from_auth(project, file, function),
        rewrites=function_rewrites(project, function_id),
    )


def _encode(summary: MutationSummary | None):
    if summary is None:
        return None
    return [summary.kind, [list(pair) for pair in summary.id_args], summary.from_auth, summary.rewrites]


def _decode(raw) -> MutationSummary | None:
    if raw is None:
        return None
    kind, id_args, from_auth, rewrites = raw
    pairs = tuple((name, table) for name, table in id_args)
    if not isinstance(kind, str) or not all(isinstance(x, str) for pair in pairs for x in pair) \
            or not isinstance(from_auth, bool) or not isinstance(rewrites, bool):
        raise ValueError("not a mutation summary")
    return MutationSummary(kind, pairs, from_auth, rewrites)
