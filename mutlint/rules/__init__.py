"""The rule language: loading rule files, compiling their patterns, planning and evaluating them."""
