"""Rules the engine itself reports (no pattern): syntax errors and stale suppressions.

They are listed, explained, selected and configured like any other rule.
"""

from __future__ import annotations

from mutlint.findings import Severity
from mutlint.rules.model import Rule

PARSE_ERROR = "parse-error"
UNUSED_SUPPRESSION = "unused-suppression"

ENGINE_RULES = [
    Rule(
        id=PARSE_ERROR, severity=Severity.NOTE, path="(engine)", tags=["engine"],
        message="syntax error: mutlint analysed the rest of the file but skips findings inside "
                "the broken code",
        description="""\
## What it finds
Files that tree-sitter could not parse completely (a syntax error, or syntax the TypeScript
grammar does not know yet).

## Why it matters
The file is still analysed: tree-sitter recovers and the damage stays local. But findings
inside the broken region are not trusted and are dropped, so mutlint may miss problems there.

## Example
```ts
export const f = mutation({ handler: async (ctx) => { ctx.db.patch( } });
```

## Instead
Fix the syntax error, or exclude the file in `.mutlint.yaml` if it is not TypeScript.
""",
    ),
    Rule(
        id=UNUSED_SUPPRESSION, severity=Severity.NOTE, path="(engine)", tags=["engine"],
        message="suppression comment that suppresses nothing",
        description="""\
## What it finds
`// mutlint-disable-next-line`, `-line` and `-file` comments that hid no finding in this run,
or that name a rule mutlint does not know.

## Why it matters
Stale suppressions hide the next real problem on that line, and a misspelt rule id suppresses
nothing while looking as if it did.

## Example
```ts
// mutlint-disable-next-line parallel-mutation-same-doc   (typo: no such rule)
await updateStep({ step: "a" });
```

## Instead
Delete the comment, or correct the rule id.
""",
    ),
]
