"""``python -m tests.bot.fake_serve [policybot arguments]``: the real command line with a
stand-in bot, so security tests run the real ``policybot serve`` without loading the model."""

from __future__ import annotations

import sys

from bot import service
from bot.cli import main
from tests.bot.test_web import FakeBot

if __name__ == "__main__":
    service.PolicyBot.from_settings = staticmethod(
        lambda settings, progress=True: FakeBot(settings)
    )
    sys.exit(main(sys.argv[1:]))
