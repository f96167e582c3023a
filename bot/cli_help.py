"""An argparse parser whose help and errors read as Swedish throughout.

argparse writes its own headings and messages in English ("usage:", "options", "the
following arguments are required"); this parser and formatter replace them.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

USAGE = "Användning: "
# argparse's own messages (Python 3.11), matched after its formatting.
MESSAGES = [
    (r"the following arguments are required: (.*)", r"de här argumenten saknas: \1"),
    (r"unrecognized arguments: (.*)", r"okända argument: \1"),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"ogiltigt val: \1 (välj bland \2)"),
    (r"expected one argument", "ett värde krävs"),
    (r"expected at least one argument", "minst ett värde krävs"),
    (r"expected at most one argument", "högst ett värde tillåts"),
    (r"invalid \w+ value: (.*)", r"ogiltigt värde: \1"),
    (r"ambiguous option: (.*) could match (.*)", r"tvetydig flagga: \1 kan betyda \2"),
    (r"not allowed with argument (.*)", r"kan inte kombineras med \1"),
    (r"one of the arguments (.*) is required", r"ett av argumenten \1 krävs"),
]


def translate(message: str) -> str:
    """argparse's English error message in Swedish (unknown ones are left as they are)."""
    for english, swedish in MESSAGES:
        message = re.sub(english, swedish, message)
    return message


class SwedishFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the line breaks of descriptions and examples; "Användning:" instead of "usage:"."""

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, USAGE if prefix is None else prefix)


class SwedishParser(argparse.ArgumentParser):
    """-h/--hjälp, Swedish group headings and error messages; subcommands inherit all of it."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", SwedishFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "argument"
        self._optionals.title = "flaggor"
        self.add_argument("-h", "--hjälp", action="help", help="visa den här hjälpen och avsluta")
        # Scripts and habits use --help; it works but is not listed, so the help stays Swedish.
        self.add_argument("--help", action="help", help=argparse.SUPPRESS)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fel: {translate(message)}\n")
