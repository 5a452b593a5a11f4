"""Command line: argument parsing, one function per command, exit codes.

Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage, config or rule error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from mutlint import __version__
from mutlint.errors import Diagnostic, UsageError
from mutlint.report import printable

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's own, told the terminal's width as shutil.get_terminal_size would: argparse
    makes a formatter for every add_argument and imports shutil to measure the terminal, and
    shutil brings zlib, bz2 and lzma, 7 M instructions of each run (5% of `--version`)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         _terminal_columns() - 2 if width is None else width)


def _terminal_columns() -> int:
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # one line, exit 2, like every other usage error
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _jobs(text: str) -> int:
    if text == "auto":
        from mutlint.engine import AUTO_JOBS  # only a check parses -j

        return AUTO_JOBS  # the engine picks: one per core, or one for a small project
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or auto, got {text!r}") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError("expected at least 1")
    return jobs


def _debug_option(parser: argparse.ArgumentParser) -> None:
    # Accepted after the command too (`mutlint check --debug`); SUPPRESS keeps a top-level
    # `mutlint --debug check` from being reset by the subcommand's default.
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks of internal errors")


def _rule_options(parser: argparse.ArgumentParser) -> None:
    _debug_option(parser)
    parser.add_argument("--rules", action="append", default=[], metavar="DIR", type=Path,
                        help="extra rule directory or file (repeatable)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="config file (default: .mutlint.yaml found from the first path)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mutlint", description="Find Convex mutation patterns that cause "
                     "write conflicts, non-atomic flows and tables that grow forever.")
    parser.add_argument("--version", action="version", version=f"mutlint {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = commands.add_parser("check", help="lint files or directories")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="default: .")
    check.add_argument("--format", choices=["text", "json", "sarif", "github"], default="text")
    check.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the report here")
    check.add_argument("--select", metavar="IDS", help="only these rule ids (comma-separated)")
    check.add_argument("--ignore", metavar="IDS", help="skip these rule ids (comma-separated)")
    check.add_argument("--fail-on", choices=["error", "warning", "note", "never"],
                       default="warning", help="lowest severity that makes the exit code 1")
    check.add_argument("--no-color", action="store_true", help="no ANSI colours")
    check.add_argument("--changed", action="store_true",
                       help="report only on files changed since the merge-base with --base "
                            "(staged, unstaged and untracked included); the project is still read")
    check.add_argument("--base", metavar="REF",
                       help="with --changed: the ref to compare with (default: the branch's "
                            "upstream, else HEAD)")
    check.add_argument("--diff-lines", action="store_true",
                       help="report only findings on changed lines (implies --changed)")
    check.add_argument("--baseline", type=Path, metavar="FILE",
                       help="hide the findings recorded in FILE; count the ones gone as fixed")
    check.add_argument("--write-baseline", type=Path, metavar="FILE",
                       help="record the current findings in FILE and exit 0")
    check.add_argument("-j", "--jobs", type=_jobs, default=1, metavar="N|auto",
                       help="processes to use (auto: one per core, for a project big enough to gain); "
                            "the output is the same")
    check.add_argument("--no-cache", action="store_true",
                       help="neither read nor write .mutlint_cache/ (per-file results of earlier runs)")
    check.add_argument("--statistics", action="store_true",
                       help="print the time per phase and per rule to stderr")
    check.add_argument("--sarif-include-suppressed", action="store_true",
                       help="keep suppressed findings in SARIF, marked with `suppressions`")
    _rule_options(check)

    audit = commands.add_parser("audit", help="write the mutation-health audit of a Convex app")
    audit.add_argument("path", nargs="?", type=Path, default=Path("."), metavar="PATH")
    audit.add_argument("--format", choices=["markdown", "json"], default="markdown")
    audit.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the audit here")
    audit.add_argument("--link-base", metavar="URL",
                       help="make file links absolute, e.g. https://github.com/ORG/REPO/blob/SHA")
    _rule_options(audit)

    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=["text", "json"], default="text")
    _rule_options(rules)

    explain = commands.add_parser("explain", help="describe a rule and show its query")
    explain.add_argument("rule_id", metavar="RULE")
    _rule_options(explain)

    test = commands.add_parser("test", help="run annotated rule test cases")
    test.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="default: the built-in pack")
    test.add_argument("--rules", action="append", default=[], metavar="DIR", type=Path,
                      help="rules to test besides those found under PATH")
    _debug_option(test)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help()
            return EXIT_USAGE
        from mutlint import commands

        return getattr(commands, f"run_{args.command}")(args)
    except UsageError as exc:
        for diagnostic in exc.diagnostics:
            print(printable(str(diagnostic)), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_USAGE
    except Exception as exc:  # a bug in mutlint: say so in one line, traceback on --debug
        if debug:
            raise
        print(f"mutlint: internal error: {type(exc).__name__}: {exc} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return EXIT_USAGE


def run() -> NoReturn:
    """The console script and `python -m mutlint`: main(), then out of the process without
    tearing the interpreter down. Freeing every module and object at exit cost a pre-commit
    run 7 ms of its 98 (7%), and nothing of mutlint's needs it: every file it writes is closed
    when main() returns, and a -j pool is joined. Exit handlers (atexit: logging's, a coverage
    tool's) still run, and the streams are flushed, as a normal exit would; a stream that
    cannot be flushed (its reader gone) turns a clean exit into a quiet exit 2."""
    from mutlint import teardown

    teardown.skip()
    try:
        code = _exit_status(main())
    except SystemExit as exc:  # argparse's --help, --version and usage errors
        code = _exit_status(exc.code)
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader gone (broken pipe) or a closed stream
            code = code or EXIT_USAGE
    os._exit(code)


def _exit_status(value: object) -> int:
    """What sys.exit(value) would exit with: None is 0, a message is printed and 1."""
    if value is None or isinstance(value, int):
        return value or 0
    print(value, file=sys.stderr)
    return 1


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(Diagnostic(str(output), f"cannot write report ({exc.strerror or exc})")) from None
