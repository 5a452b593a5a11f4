"""The Convex model's facts as rules name them: what each one is, its attributes, the tokens a
file must hold for it to have a value, and where the code that computes it is.

They are declared here, apart from that code, so that loading the rules (which checks every
fact a rule names against its declaration) and prefiltering files import none of it: a fact's
module is imported when the fact is first computed (facts.fact_spec). A pre-commit check of a
page computes two of these nine facts, and importing the modules of all nine was 2 M of its
instructions; a check of a mutation file never computes a schema table's.
"""

from __future__ import annotations

# What the model's modules register when imported must be known from the start of a run,
# whatever facts it computes, as when every fact's module was imported with the registry:
# the flows register what the engine asks of every file it reads (a byte fact: may it call
# mutations?) and of the cache's entries (a value fact: the mutations client files call);
# they and the handles register the queries that run in every walk of a file (their matches
# kept with the file: bundled_queries.py; one registered after a file's walk runs by itself,
# and the walk's query text, which the memo of walks is keyed by, changes).
# tests/test_fact_catalogue.py holds that importing every fact's module registers no more.
import mutlint.convex.flows  # noqa: F401
import mutlint.convex.handles  # noqa: F401
from mutlint.facts import FactSpec, register_fact, register_model_part

FUNCTION_ATTRIBUTES = ("id", "name", "kind", "visibility", "exported")
_MUTATION_TOKENS = (b"utation", b"mutate")
_SCHEMA_TOKENS = (b"defineSchema",)
# Before a functions-dir file's tree is released: the flows, and the mutations client files call.
_KEEP_FOR_TABLE_VOLUME = "mutlint.convex.flows:keep_for_table_volume"

register_fact(FactSpec(
    name="mutation-call",
    summary="The Convex mutation a call runs (React handle, client .mutation, fetchMutation, "
            "ctx.runMutation in an action), its transport, the document it changes (the "
            "arguments the target validates with v.id), and whether the target rewrites "
            "existing documents.",
    attributes=("mutation", "transport", "document", "rewrites"), display="mutation",
    tokens=_MUTATION_TOKENS, compute="mutlint.convex.call_facts:mutation_call_fact",
    dismisses="mutlint.convex.handles:mutation_call_dismisser"))
register_fact(FactSpec(
    name="call-repetition",
    summary="How a mutation call repeats: its segment (same segment = back to back with no "
            "other awaited work between, or one Promise.all, or a loop), how many calls it "
            "stands for (1, or many in a loop), how it runs, and the effect.",
    attributes=("how", "segment", "times", "effect"), display="how",
    tokens=_MUTATION_TOKENS, compute="mutlint.convex.call_facts:call_repetition"))
register_fact(FactSpec(
    name="convex-function",
    summary="The registered Convex function (query, mutation, action, httpAction) whose "
            "handler contains the node.",
    attributes=FUNCTION_ATTRIBUTES, display="id",
    compute="mutlint.convex.function_facts:convex_function_fact"))
register_fact(FactSpec(
    name="reaching-convex-function",
    summary="Every registered Convex function whose transaction runs the node: the handler it "
            "is in, or each function that reaches its helper through calls that pass ctx on. "
            "One value per function.",
    attributes=FUNCTION_ATTRIBUTES, display="id",
    compute="mutlint.convex.function_facts:reaching_convex_function_fact"))
register_fact(FactSpec(
    name="branch-path",
    summary="The branch arms (if/else, ternary, switch case, the code after an `if` that always "
            "returns or throws) the node runs on within its function; `group.exclusive` uses it "
            "so members on mutually exclusive paths are not counted together.",
    attributes=("path",), display="path", compute="mutlint.convex.path_facts:branch_path_fact"))
register_fact(FactSpec(
    name="schema-table", summary="The schema table defined by this entry of defineSchema({...}).",
    attributes=("name",), display="name", tokens=_SCHEMA_TOKENS,
    compute="mutlint.convex.table_facts:schema_table_fact"))
register_fact(FactSpec(
    name="table-volume",
    summary="How fast a schema table grows, estimated from the code (config high-volume-tables "
            "first; else append-only plus a hot path or a log-like name), with the reason.",
    attributes=("level", "reason"), display="level", tokens=_SCHEMA_TOKENS,
    compute="mutlint.convex.table_facts:table_volume_fact", before_release=_KEEP_FOR_TABLE_VOLUME))
register_fact(FactSpec(
    name="table-cleanup",
    summary="What deletes old rows of a schema table: a function reached from a cron, or a job "
            "scheduled when the row is inserted. No value when nothing does.",
    attributes=("function", "how"), display="function", tokens=_SCHEMA_TOKENS,
    compute="mutlint.convex.table_facts:table_cleanup_fact", before_release=_KEEP_FOR_TABLE_VOLUME))
register_fact(FactSpec(
    name="written-table",
    summary="The table a `ctx.db.insert/patch/replace/delete` call writes, how it was "
            "inferred (argument, validator, annotation, id-source, schema, or name: a guess), "
            "and whether the document is `new` (inserted just before by this code) or `existing`.",
    attributes=("label", "table", "how", "document"), display="label",
    tokens=(b"db",), compute="mutlint.convex.write_facts:written_table_fact"))

# Before a functions-dir file's tree is released: its part of the call graph.
register_model_part("mutlint.convex.graph_parts:keep_graph_part")
