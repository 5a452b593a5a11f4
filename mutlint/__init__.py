"""mutlint: a linter for Convex mutation patterns (write conflicts, non-atomic flows, unbounded tables)."""

__version__ = "0.1.0"
