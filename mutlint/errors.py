"""Errors that end a run with exit code 2 (usage, configuration or rule errors).

They always carry the path, and the line and column where there is one, so the CLI can print
them as one `path:line:col: message` line without a traceback.
"""

from __future__ import annotations

from mutlint.compared import ComparedByValue


class Diagnostic(ComparedByValue):
    """A problem with an input, located as precisely as we can."""

    path: str
    message: str
    line: int | None
    column: int | None

    def __init__(self, path: str, message: str, line: int | None = None,
                 column: int | None = None) -> None:
        self.path = path
        self.message = message
        self.line = line
        self.column = column

    def _fields(self) -> tuple:
        return (self.path, self.message, self.line, self.column)

    def __repr__(self) -> str:
        return (f"{type(self).__qualname__}(path={self.path!r}, message={self.message!r}, "
                f"line={self.line!r}, column={self.column!r})")

    def with_path(self, path: str) -> Diagnostic:
        """A copy shown under another path."""
        return type(self)(path, self.message, self.line, self.column)

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class UsageError(Exception):
    """A bad command line, config or rule; the run stops with exit code 2."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic | str):
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic("mutlint", diagnostics)]
        elif isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))
