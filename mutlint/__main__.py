import sys

from mutlint.cli import main

sys.exit(main())
