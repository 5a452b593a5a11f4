from mutlint.cli import run

run()
