"""``python -m tests.upstream``: see ``harness.main``."""

import sys

from .harness import main

sys.exit(main())
