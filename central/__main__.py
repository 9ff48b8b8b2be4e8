"""python -m central: the same as duty-central."""

import sys

from central.cli import main

sys.exit(main())
