"""The tree-sitter work of a cold check of a whole project, alone: what this design costs before
any of mutlint's own Python runs, to set next to the parse floor.

A cold check reads every file, parses the ones a rule's token is in (and the ones their facts
need) and runs tree-sitter queries over them: the rules' query plan, the model's bundled queries
and a few queries of their own. `record` runs `mutlint check DIR --no-cache` in this process and
writes down, in order, the files it read, the parses it made, the queries it compiled and every
query run (which query, over which parse's tree, from which node). `replay`, in a fresh process,
does only that: it reads the same files, parses the same ones, compiles the same queries and
runs each query over the same node, taking every match as mutlint does, with none of mutlint's
code. If this alone is near a target, no change to mutlint's own code can meet it.

Usage: python benchmarks/check_floor.py record DIR WORK.json   (one process: -j 1)
       python benchmarks/check_floor.py replay DIR WORK.json
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path


def record(root: str, out: str) -> None:
    import tree_sitter

    from mutlint import source

    work: dict[str, list] = {"read": [], "parses": [], "queries": [], "runs": []}
    query_index: dict[int, int] = {}  # id(Query) -> its index in work["queries"]
    parse_of_root: dict[int, int] = {}  # a tree's root node id -> the parse that made it
    languages = {id(source.ts_language(name)): name for name in ("typescript", "tsx")}
    real_query, real_cursor = tree_sitter.Query, tree_sitter.QueryCursor
    real_read, real_parse = source._read_all, source.parse_source
    base = Path(root).resolve()

    def recording_query(language, text):
        query = real_query(language, text)
        query_index[id(query)] = len(work["queries"])
        work["queries"].append((languages[id(language)], text))
        return query

    def recording_read(path, size):
        work["read"].append(str(Path(path).resolve().relative_to(base)))
        return real_read(path, size)

    def recording_parse(data, path, relpath, language):
        parsed = real_parse(data, path, relpath, language)
        parse_of_root[parsed.root.id] = len(work["parses"])
        work["parses"].append((relpath, language))
        return parsed

    class RecordingCursor:
        """A QueryCursor that writes down each run: the query, the tree and the node's path of
        child indices from the root (the model runs some queries over top-level statements)."""

        def __init__(self, query, *args, **kwargs):
            self._query = query
            self._cursor = real_cursor(query, *args, **kwargs)

        def matches(self, node, *args, **kwargs):
            steps, at = [], node
            while at.parent is not None:
                parent = at.parent
                steps.append(next(i for i, child in enumerate(parent.children) if child.id == at.id))
                at = parent
            found = self._cursor.matches(node, *args, **kwargs)
            work["runs"].append((query_index[id(self._query)], parse_of_root[at.id], steps[::-1],
                                 len(found)))
            return found

        def __getattr__(self, name):
            return getattr(self._cursor, name)

    # The modules reach these by attribute at call time (tree_sitter.Query, source.parse_source).
    tree_sitter.Query, tree_sitter.QueryCursor = recording_query, RecordingCursor
    source._read_all, source.parse_source = recording_read, recording_parse
    from mutlint.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["check", root, "--no-cache", "--jobs", "1", "--fail-on", "never"])
    if code != 0 or not work["parses"] or not work["runs"]:
        raise SystemExit(f"recording the tree-sitter work of a check of {root} failed (exit {code})")
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(work, handle)


def replay(root: str, recorded: str) -> None:
    import tree_sitter
    import tree_sitter_typescript

    with open(recorded, encoding="utf-8") as handle:
        work = json.load(handle)
    languages = {"typescript": tree_sitter.Language(tree_sitter_typescript.language_typescript()),
                 "tsx": tree_sitter.Language(tree_sitter_typescript.language_tsx())}
    parsers = {name: tree_sitter.Parser(language) for name, language in languages.items()}
    base = Path(root)
    data = {relpath: (base / relpath).read_bytes() for relpath in work["read"]}
    # A parse's tree is kept until its last query run, as a check keeps a file's tree.
    last_use = {parse: index for index, (_, parse, _, _) in enumerate(work["runs"])}
    queries = [tree_sitter.Query(languages[language], text) for language, text in work["queries"]]
    trees: dict[int, tree_sitter.Tree] = {}
    runs = iter(enumerate(work["runs"]))
    pending = next(runs, None)
    for parse, (relpath, language) in enumerate(work["parses"]):
        tree = parsers[language].parse(data[relpath])
        if parse in last_use:
            trees[parse] = tree
        # Every run over a tree parsed so far (mutlint runs queries as soon as a file is parsed).
        while pending is not None and pending[1][1] <= parse:
            index, (query, of_parse, steps, count) = pending
            node = trees[of_parse].root_node
            for step in steps:
                node = node.children[step]
            if len(tree_sitter.QueryCursor(queries[query]).matches(node)) != count:
                # Its own predicates aside (a rule's regex under a time limit), a run that
                # found other matches did other work than the check: no floor.
                raise SystemExit(f"replaying query {query} over {work['parses'][of_parse][0]} "
                                 f"found other matches than the check did")
            if last_use[of_parse] == index:
                del trees[of_parse]
            pending = next(runs, None)


if __name__ == "__main__":
    mode, project, work_path = sys.argv[1:4]
    {"record": record, "replay": replay}[mode](project, work_path)
