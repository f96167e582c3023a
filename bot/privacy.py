"""Masking personal data (personnummer, phone numbers, e-mail addresses) before anything is stored.

Residents sometimes type their own details into a question ("Mitt personnummer är
19850312-1234, ring mig på 070-123 45 67"). Feedback and the log of unanswered questions keep
the question for staff to read, so what is *shaped like* personal data is replaced by a label
first. The patterns err on the side of masking: a date-shaped number followed by four digits is
masked even when it is not a valid personnummer. Ordinary numbers (years such as "2019–2023",
dates such as "2021-12-03", amounts such as "710 000 invånare") are left alone: a phone number
must start with 0 or +46 and have 8–13 digits.
"""

from __future__ import annotations

import re

from ingest.swedish import EMAIL_ADDRESS as _EMAIL
from ingest.swedish import PHONE_DIGITS as _PHONE_DIGITS
from ingest.swedish import PHONE_NUMBER as _PHONE

PERSONNUMMER = "[personnummer]"
PHONE = "[telefonnummer]"
EMAIL = "[e-post]"


# YYMMDD or YYYYMMDD, then -, + or nothing, then four digits. Days 61–91 are samordningsnummer.
# Never right after "+": "+4610010000" is an international phone number.
_PERSONNUMMER = re.compile(
    r"(?<![\d+])(?:(?:18|19|20)\d{2}|\d{2})(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|[6-8]\d|9[01])"
    r"[-+]?\d{4}(?!\d)"
)


def _phone(match: re.Match[str]) -> str:
    digits = sum(c.isdigit() for c in match.group(0))
    return PHONE if digits in _PHONE_DIGITS else match.group(0)


def mask(text: str) -> str:
    """``text`` with e-mail addresses, personnummer and phone numbers replaced by labels."""
    text = _EMAIL.sub(EMAIL, text)
    text = _PERSONNUMMER.sub(PERSONNUMMER, text)
    return _PHONE.sub(_phone, text)


def found(text: str) -> list[str]:
    """The pieces of ``text`` that ``mask`` would replace, in order of masking."""
    pieces = _EMAIL.findall(text)
    text = _EMAIL.sub(EMAIL, text)
    pieces += _PERSONNUMMER.findall(text)
    text = _PERSONNUMMER.sub(PERSONNUMMER, text)
    pieces += [m.group(0) for m in _PHONE.finditer(text) if _phone(m) == PHONE]
    return pieces


def mask_echo(answer: str, question: str) -> str:
    """``answer`` with whatever personal data of ``question`` it repeats masked.

    Only what the question brought in is masked: a phone number that the documents themselves
    give (a contact centre, say) stays in a stored answer.
    """
    for piece in sorted(set(found(question)), key=len, reverse=True):
        answer = answer.replace(piece, mask(piece))
    return answer
