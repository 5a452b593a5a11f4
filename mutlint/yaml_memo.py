"""Parsed YAML documents remembered by their bytes, in the cache directory.

Rule and config files are the same from one run to the next, and a pre-commit run paid more for
importing PyYAML (about 13 ms) than for everything else of loading them. The memo keeps each
document as its plain data and positions, under its bytes' hash: a file whose bytes are in it
needs no parse and no PyYAML. Only documents that survive a JSON round trip exactly are kept
(string keys, no timestamps, no aliases); a memo of another mutlint (version and code, as for
the cache's entries), or damaged, is ignored and rewritten, and one in a cache dir that is not
ours (tracked by git, a link: mutlint.cache.cache_dir_is_ours) is not read at all. A
remembered document is validated as a parsed one is, and one that fails is read again from its
file (its loaders: config.load_config, rules.loader.load_rule_file).

The memo also keeps what a document's text is made into, by kind and key: the rules' code
patterns compiled (rules.loader), by their text and language. Compiling the shipped rules' 28
took a pre-commit run more than a millisecond, the same work at every run. A derived value is
plain data that its maker checks as it reads it back, and makes again when the check fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mutlint import __version__, json_codec
from mutlint.cache import content_hash, write_atomically
from mutlint.yamldoc import DocPath, YamlDoc

MEMO_FILE = "yaml.json"  # in the cache dir, beside the code memo
MAX_DOCUMENTS = 256  # a config and the rule files: stale ones age out, the oldest first
MAX_DERIVED = 1024  # of each kind, the oldest dropped first
_FORMAT = 2


class YamlMemo:
    def __init__(self, path: Path | None, code: str = ""):
        self.path = path  # None: nothing is read or kept (--no-cache, a cache dir not ours)
        self.code = code  # mutlint's code fingerprint (mutlint.cache.code_fingerprint)
        self._documents: dict[str, Any] | None = None
        self._derived: dict[str, dict[str, Any]] = {}  # kind -> key -> plain data
        self._added = False

    def get(self, raw: bytes, shown: str) -> YamlDoc | None:
        entry = self._loaded().get(content_hash(raw))
        if not isinstance(entry, dict) or not {"data", "values", "keys"} <= entry.keys():
            return None  # none, or damaged: parsed again, and kept again
        return YamlDoc(shown, entry["data"], remembered=True,
                       read_marks=lambda: _marks_of(entry, raw, shown))

    def derived(self, kind: str, key: str) -> Any:
        """The plain data kept under `key` of `kind` (keep_derived), unchecked, or None."""
        self._loaded()
        return self._derived.get(kind, {}).get(key)

    def keep_derived(self, kind: str, key: str, plain: Any) -> None:
        """Keep plain data (what JSON gives back as it is) made from a document's text."""
        if self.path is None:
            return
        self._loaded()
        values = self._derived.setdefault(kind, {})
        values.pop(key, None)  # the newest last: the oldest are dropped first
        values[key] = plain
        self._added = True

    def put(self, raw: bytes, doc: YamlDoc) -> None:
        """Keep the document as parsed: as JSON now, so what its loader changes later (the
        config's `off`) is not kept, and one JSON cannot write is not kept at all."""
        if self.path is None or doc.aliased or not json_exact(doc.data):
            return
        try:
            text = json_codec.dumps({"data": doc.data, "values": _marks(doc.value_marks),
                               "keys": _marks(doc.key_marks)})
        except (ValueError, TypeError, RecursionError):  # an integer of 4,300 digits, say
            return
        documents = self._loaded()
        documents.pop(content_hash(raw), None)  # the newest last: the oldest are dropped first
        documents[content_hash(raw)] = json_codec.loads(text)
        self._added = True

    def save(self) -> None:
        """Write the memo if this run added to it, once the cache dir is known to be ours."""
        if self.path is None or not self._added or not self.path.parent.is_dir() \
                or self.path.parent.is_symlink():
            return
        documents = dict(list(self._loaded().items())[-MAX_DOCUMENTS:])
        derived = {kind: dict(list(values.items())[-MAX_DERIVED:])
                   for kind, values in self._derived.items()}
        try:
            write_atomically(self.path, json_codec.dumps(
                {"format": _FORMAT, "version": __version__, "code": self.code,
                 "documents": documents, "derived": derived}, compact=True))
        except OSError:
            pass  # a read-only cache: parsed again next time
        self._added = False

    def _loaded(self) -> dict[str, Any]:
        if self._documents is None:
            self._documents = {}
            if self.path is not None:
                try:
                    found = json_codec.loads(self.path.read_bytes())
                except (OSError, ValueError, RecursionError):  # none yet, damaged, too deep
                    found = None
                if isinstance(found, dict) and found.get("format") == _FORMAT and \
                        found.get("version") == __version__ and found.get("code") == self.code \
                        and isinstance(found.get("documents"), dict):
                    self._documents = found["documents"]
                    derived = found.get("derived")
                    if isinstance(derived, dict):
                        self._derived = {kind: values for kind, values in derived.items()
                                         if isinstance(values, dict)}
        return self._documents


def _marks(marks: dict[DocPath, tuple[int, int]]) -> list:
    return [[list(doc_path), line, column] for doc_path, (line, column) in marks.items()]


def _marks_of(entry: dict[str, Any], raw: bytes, shown: str
              ) -> tuple[dict[DocPath, tuple[int, int]], dict[DocPath, tuple[int, int]]]:
    """A remembered document's marks (values', keys'); if the memo's are damaged, those of
    the document parsed from its bytes: a position is never taken from marks that are not
    exactly a path, a line and a column."""
    try:
        return _decode_marks(entry["values"]), _decode_marks(entry["keys"])
    except (TypeError, ValueError):
        from mutlint.yaml_parse import load_yaml_text

        parsed = load_yaml_text(raw.decode("utf-8"), shown)
        return parsed.value_marks, parsed.key_marks


def _decode_marks(raw: Any) -> dict[DocPath, tuple[int, int]]:
    # Exact types (`type(x) is int` refuses a bool), tested without generators: a rule pack's
    # marks are a thousand steps, read at every start-up.
    marks: dict[DocPath, tuple[int, int]] = {}
    for doc_path, line, column in raw:
        if type(doc_path) is not list or type(line) is not int or type(column) is not int \
                or line <= 0 or column <= 0:
            raise ValueError("not a position")
        for step in doc_path:
            if type(step) is not str and type(step) is not int:
                raise ValueError("not a position")
        marks[tuple(doc_path)] = (line, column)
    return marks


def json_exact(data: Any) -> bool:
    """Does JSON give `data` back as it is? Strings keys only, and only JSON's kinds of values
    (a timestamp, a number key, NaN would come back otherwise)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if not all(isinstance(key, str) for key in value):
                return False
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, float):
            if value - value != 0.0:  # inf or nan (math.isfinite, whose import a check skips)
                return False
        elif value is not None and not isinstance(value, (str, int, bool)):
            return False
    return True
