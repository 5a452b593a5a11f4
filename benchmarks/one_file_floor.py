"""The floor under a check of one file: what any run of this design pays before mutlint's own
code does anything.

A check of one file starts Python, imports tree-sitter and the grammar, parses the file and
compiles the tree-sitter queries its rules and facts need: tree-sitter keeps no compiled query
between processes, and compiling one costs milliseconds per pattern (its analysis of the
grammar's parse states), so a run that compiles pays it again (a run of a few files walks its
queries in Python instead, mutlint/walk_query.py, and records none). `record` runs `mutlint
check FILE` in this process and writes down the queries it compiled (language and source, in
order); `floor`, run in a fresh process, does only the start-up, the parse and those compiles.
The benchmark times `floor` next to `mutlint --version` and the check itself.

Usage: python benchmarks/one_file_floor.py record FILE QUERIES.json   (in the project dir)
       python benchmarks/one_file_floor.py floor FILE QUERIES.json
"""

from __future__ import annotations

import json
import sys


def record(path: str, out: str) -> None:
    import contextlib
    import io

    import tree_sitter

    from mutlint import source

    compiled: list[tuple[str, str]] = []
    languages = {}
    real_query = tree_sitter.Query

    def recording_query(language, text):
        compiled.append((languages.get(id(language), "?"), text))
        return real_query(language, text)

    for name in ("typescript", "tsx"):
        languages[id(source.ts_language(name))] = name
    tree_sitter.Query = recording_query  # the modules use tree_sitter.Query by attribute
    from mutlint.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["check", path, "--fail-on", "never"])
    if code != 0 or any(language == "?" for language, _ in compiled):
        raise SystemExit(f"recording the queries of a check of {path} failed (exit {code})")
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"language": source.language_for(path), "queries": compiled}, handle)


def floor(path: str, queries: str) -> None:
    import tree_sitter
    import tree_sitter_typescript

    grammar = {"typescript": tree_sitter_typescript.language_typescript,
               "tsx": tree_sitter_typescript.language_tsx}
    with open(queries, encoding="utf-8") as handle:
        recorded = json.load(handle)  # the file's language as mutlint saw it, and the queries
    with open(path, "rb") as handle:
        data = handle.read()
    languages = {name: tree_sitter.Language(make()) for name, make in grammar.items()}
    tree_sitter.Parser(languages[recorded["language"]]).parse(data)
    for language, text in recorded["queries"]:
        tree_sitter.Query(languages[language], text)


if __name__ == "__main__":
    mode, file_path, queries_path = sys.argv[1:4]
    {"record": record, "floor": floor}[mode](file_path, queries_path)
