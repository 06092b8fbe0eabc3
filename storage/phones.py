"""Phone numbers as people write them → E.164, the one form we store and hash.

The keyed hash of "07700 900123" and of "+447700900123" must be the same pseudonym, so every
number is normalised before it is encrypted, hashed or looked up.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, ValidationResult

# Ofcom keeps 07700 900000–900999 for drama and examples: never allocated, so the library calls
# them invalid, but they are what test data, training sessions and our own examples use.
OFCOM_DRAMA_MOBILE = "+447700900"


class InvalidPhone(ValueError):
    """A number that cannot be a phone number we could text; the message says why."""


_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "has an unknown country code",
    NumberParseException.NOT_A_NUMBER: "is not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "is too short",
    NumberParseException.TOO_SHORT_NSN: "is too short",
    NumberParseException.TOO_LONG: "is too long",
}
_LENGTH_REASONS = {
    ValidationResult.INVALID_COUNTRY_CODE: "has an unknown country code",
    ValidationResult.TOO_SHORT: "is too short",
    ValidationResult.TOO_LONG: "is too long",
    ValidationResult.INVALID_LENGTH: "has the wrong number of digits",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "is too short (no area code?)",
}


def normalise_phone(raw: str, region: str = "GB") -> str:
    """``raw`` in E.164 (``+447700900123``); numbers without ``+`` are read as ``region``'s."""
    text = raw.strip()
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as error:
        reason = _PARSE_REASONS.get(error.error_type, "is not valid")
        raise InvalidPhone(f"phone {text!r} {reason}") from None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    length = phonenumbers.is_possible_number_with_reason(number)
    if length != ValidationResult.IS_POSSIBLE:
        raise InvalidPhone(f"phone {text!r} {_LENGTH_REASONS.get(length, 'is not valid')}")
    if not (phonenumbers.is_valid_number(number) or _is_drama(e164)):
        where = phonenumbers.region_code_for_number(number) or region
        raise InvalidPhone(f"phone {text!r} is not a number in use in {where}")
    return e164


def is_landline(e164: str) -> bool:
    """Fixed lines usually cannot receive texts; importers warn rather than refuse."""
    kind = phonenumbers.number_type(phonenumbers.parse(e164))
    return kind == phonenumbers.PhoneNumberType.FIXED_LINE


def _is_drama(e164: str) -> bool:
    return e164.startswith(OFCOM_DRAMA_MOBILE) and len(e164) == len("+447700900123")
