"""Report writers: turn a CheckResult into bytes. They never parse or evaluate."""
