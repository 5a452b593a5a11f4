"""JSON read and written as the `json` package does it, by its C accelerator `_json`, without
importing the package.

`import json` compiles six regexes and defines its encoder and decoder classes: 5 M
instructions of a pre-commit check (2%), spent for the C scanner and encoder that json.loads
and json.dumps call anyway. `loads` and `dumps` here call them directly, with the settings
json's defaults give them, so their answers are json's, byte for byte
(tests/test_json_codec.py). Where `_json` is missing (another Python) or its interface is not
CPython's of 3.10 to 3.13, the `json` package itself does the work.

One difference, on bytes only: json.loads also takes UTF-16 and UTF-32 (and a UTF-8 BOM);
`loads` takes UTF-8, which is what mutlint writes. A file in another encoding is an error
here, as any damaged cache file is: ignored and written anew.
"""

from __future__ import annotations

import sys
from typing import Any

_WHITESPACE = " \t\n\r"  # what json's WHITESPACE regex skips around a document


def _default(value: Any) -> Any:
    """JSONEncoder.default: no other type is written."""
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


class _DecoderSettings:
    """The attributes the C scanner reads of a JSONDecoder(): its defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"),
                      "NaN": float("nan")}.__getitem__


def _accelerated():
    if sys.implementation.name != "cpython" or not (3, 10) <= sys.version_info[:2] <= (3, 13):
        return None
    try:
        import _json

        scan = _json.make_scanner(_DecoderSettings())
        _json.make_encoder({}, _default, _json.encode_basestring_ascii, None, ": ", ", ",
                           False, False, True)
    except (ImportError, AttributeError, TypeError):
        return None
    return _json, scan


_C = _accelerated()


def encode_string(text: str) -> str:
    """json.dumps(text): the string quoted, every non-ASCII and control character escaped."""
    if _C is None:
        return _json_package().dumps(text)
    return _C[0].encode_basestring_ascii(text)


def dumps(value: Any, *, sort_keys: bool = False, compact: bool = False) -> str:
    """json.dumps(value, sort_keys=sort_keys), with separators=(",", ":") if `compact`."""
    item, key = (",", ":") if compact else (", ", ": ")
    if _C is None:
        return _json_package().dumps(value, sort_keys=sort_keys, separators=(item, key))
    if isinstance(value, str):
        return _C[0].encode_basestring_ascii(value)  # as JSONEncoder.encode does
    # A new encoder per value, as JSONEncoder.iterencode makes: its markers (the containers
    # being written, to refuse a cycle) must start empty.
    encode = _C[0].make_encoder({}, _default, _C[0].encode_basestring_ascii, None, key, item,
                                sort_keys, False, True)
    return "".join(encode(value, 0))


def loads(text: str | bytes) -> Any:
    """json.loads(text): json.JSONDecodeError (a ValueError), or RecursionError for a
    document nested too deep, if it is not JSON."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if _C is None:
        return _json_package().loads(text)
    start = len(text) - len(text.lstrip(_WHITESPACE)) if text[:1] in _WHITESPACE else 0
    try:
        value, end = _C[1](text, start)
    except (StopIteration, SystemError):
        # Not JSON. The scanner of 3.10 and 3.11 raises its JSONDecodeError only if
        # json.decoder is loaded, else a SystemError: the package reads the text again and
        # raises the error json.loads raises (damaged files are rare; they pay the import).
        return _json_package().loads(text)
    if end != len(text) and text[end:].strip(_WHITESPACE):
        return _json_package().loads(text)  # "Extra data"
    return value


def _json_package():
    import json

    return json
