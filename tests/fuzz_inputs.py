"""Hostile and broken inputs for fuzzing, driven by a random.Random so the same generators
serve Hypothesis in the test suite and the long standalone run (benchmarks/fuzz_long.py)."""

from __future__ import annotations

import random
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "onboarding-app"
# Files whose content no finding elsewhere depends on: mutating them may only change their own
# findings (they call mutations whose tables are updated in place, so no TTL verdict moves).
MUTABLE = ("app/publish/page.tsx", "app/integrations/page.tsx")
# Every source file, the Convex ones (schema, crons, mutations) included: broken versions of
# these may change findings anywhere, but must still be handled.
SOURCES = tuple(sorted(p.relative_to(EXAMPLE).as_posix() for p in EXAMPLE.rglob("*")
                       if p.suffix in (".ts", ".tsx") and ".mutlint_cache" not in p.parts))
TOKENS = ("ctx", ".", "db", "patch", "insert", "(", ")", "{", "}", "[", "]", ",", ";", "await",
          "async", "=>", "const", "x", "=", "mutation", "useMutation", "api", "internal", '"t"',
          "'", "`", "${", "//", "/*", "*/", "<div>", "</div>", "<", ">", "&", "export", "import",
          "from", "\n", " ", "\t", "\\", "return", "for", "of", "if", "else", "?.", "!", ":",
          "as", "any", "void", "Promise", "all", "v.id", "defineSchema", "defineTable")


def example_files() -> dict[str, bytes]:
    return {p.relative_to(EXAMPLE).as_posix(): p.read_bytes()
            for p in sorted(EXAMPLE.rglob("*")) if p.is_file()}


def mutate_lines(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 6)):
        if not lines:
            break
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        operation = rng.choice(("delete", "duplicate", "swap", "cut", "soup"))
        if operation == "delete":
            del lines[i]
        elif operation == "duplicate":
            lines.insert(j, lines[i])
        elif operation == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif operation == "cut":
            cut = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:cut]
        else:
            lines.insert(i, token_soup(rng, rng.randint(1, 30)))
    return b"\n".join(lines)


def token_soup(rng: random.Random, count: int) -> bytes:
    return "".join(rng.choice(TOKENS) + rng.choice(("", " ")) for _ in range(count)).encode()


def deep_nesting(rng: random.Random) -> bytes:
    depth = rng.randint(200, 3000)
    opens = [rng.choice("([{") for _ in range(depth)]
    closes = {"(": ")", "[": "]", "{": "}"}
    body = "".join(opens) + "1" + "".join(closes[c] for c in reversed(opens))
    return ("const x = " + body + ";\n").encode()


def huge_string(rng: random.Random) -> bytes:
    quote = rng.choice(("'", '"', "`"))
    return f"const s = {quote}{'x' * rng.randint(10_000, 200_000)}{quote};\n".encode()


def reencode(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    choice = rng.choice(("crlf", "mixed", "bom", "latin-1", "utf-16", "cr"))
    if choice == "crlf":
        return text.replace("\n", "\r\n").encode()
    if choice == "mixed":
        return "".join(line + rng.choice(("\n", "\r\n", "\r")) for line in text.split("\n")).encode()
    if choice == "cr":
        return text.replace("\n", "\r").encode()
    if choice == "bom":
        return b"\xef\xbb\xbf" + data
    if choice == "latin-1":
        return ("// café ü\n" + text).encode("latin-1", "replace")
    return text.encode("utf-16")


def hostile_file(rng: random.Random, original: bytes) -> bytes:
    kind = rng.choice(("bytes", "mutate", "mutate", "soup", "deep", "huge", "encode", "truncate"))
    if kind == "bytes":
        return rng.randbytes(rng.randint(0, 4000))
    if kind == "mutate":
        return mutate_lines(rng, original)
    if kind == "soup":
        return token_soup(rng, rng.randint(1, 400))
    if kind == "deep":
        return deep_nesting(rng)
    if kind == "huge":
        return huge_string(rng)
    if kind == "encode":
        return reencode(rng, original)
    return original[: rng.randrange(len(original) + 1)]
