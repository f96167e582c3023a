"""`python -m bot` is an alias of the `policybot` command."""

import sys

from bot.cli import main

sys.exit(main())
