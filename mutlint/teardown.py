"""What a run ends with, left for the end of the process instead of freed object by object.

The console script ends its process with os._exit (cli.run): the operating system takes the
memory back at once. What a cold check frees before then is work for nothing: its project
(every fact and memo of 10,000 files, their trees long released) and the scans it merged.
Code that holds such objects to its end hands them to keep_until_exit. The cyclic collector
too stays off to the end: a run makes almost no cycles (engine.without_cycle_collection), and
switched back on after a check, its first pass went over every object the check had made
(none of them collected or promoted while it was off), a third of a second at 10,000 files.
Called any other way (main() from the tests, an embedding program), nothing is kept and the
collector is switched back on.
"""

from __future__ import annotations

import gc

_kept: list[object] | None = None  # a list once skip() was called


def skip() -> None:
    """This process ends with os._exit: what is handed over from now on is never freed, and
    the cyclic collector is off from here on, imports included (a one-page check's imports
    and start-up set it off eight times: 8 M instructions of about 290 M)."""
    global _kept
    if _kept is None:
        _kept = []
    gc.disable()


def skipped() -> bool:
    return _kept is not None


def keep_until_exit(*objects: object) -> None:
    if _kept is not None:
        _kept.extend(objects)
