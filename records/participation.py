"""What a party needs to take part in an activity (issue 11, item 9).

- an interpreter, and in which language: any language or sign language, not only English and
  Welsh (Family Procedure Rules Part 3A and Practice Direction 3AA: measures so that a party
  can participate; an activity the person cannot follow is not one they can take part in);
- reasonable adjustments (Equality Act 2010 s20 and s29(7): a service provider's duty to make
  reasonable adjustments for a disabled person);
- separate arrival and departure at a contact centre, where abuse is alleged (Practice
  Direction 12J: arrangements for contact must keep the child and the parent safe);
- for a Welsh case, the Welsh-language active offer: was the party offered Welsh, what did they
  answer, and when (Welsh Language (Wales) Measure 2011; the Welsh Language Standards).

``records.model`` imports this module (a party carries it), so the shared parsers are looked up
when a value is converted, not at import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import attrs


class Need(StrEnum):
    """Yes / no / not asked yet: an interpreter need not asked about is not "no"."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return "not asked yet" if self is Need.UNKNOWN else self.value


class WelshOffer(StrEnum):
    """The Welsh-language active offer: not yet made, or made and answered."""

    NOT_ASKED = "not_asked"
    WELSH = "welsh"  # offered; the party chose Welsh
    ENGLISH = "english"  # offered; the party chose English

    @property
    def label(self) -> str:
        return {
            WelshOffer.NOT_ASKED: "not offered yet",
            WelshOffer.WELSH: "offered: chose Welsh",
            WelshOffer.ENGLISH: "offered: chose English",
        }[self]


def _error(field: str, message: str) -> Exception:
    from records.model import RecordError

    return RecordError(field, message)


def _text(field: str, max_length: int) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        from records.model import _text as model_text

        return model_text(field, max_length)(value)

    return convert


def _optional_date(field: str) -> Callable[[Any], dt.date | None]:
    def convert(value: Any) -> dt.date | None:
        from records.model import parse_optional_date

        return parse_optional_date(value, field=field)

    return convert


def _enum(kind: type[StrEnum], field: str) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            raise _error(field, f"{field} {value!r} is not one of: {allowed}") from None

    return convert


@attrs.frozen
class Participation:
    interpreter: Need = attrs.field(default=Need.UNKNOWN, converter=_enum(Need, "interpreter"))
    # Any language or sign language ("Polish", "British Sign Language"), free text.
    interpreter_language: str = attrs.field(default="", converter=_text("interpreter language", 60))
    # What the person needs to take part (step-free access, breaks, written materials read
    # aloud...): free text, passed to the provider.
    adjustments: str = attrs.field(default="", converter=_text("adjustments", 500))
    # At a contact centre: arrive and leave at different times from the other parent.
    separate_arrival: bool = attrs.field(default=False)
    welsh_offer: WelshOffer = attrs.field(
        default=WelshOffer.NOT_ASKED, converter=_enum(WelshOffer, "Welsh offer")
    )
    welsh_offer_on: dt.date | None = attrs.field(
        default=None, converter=_optional_date("Welsh offer on")
    )

    @separate_arrival.validator
    def _check_flag(self, _attribute: Any, value: Any) -> None:
        if not isinstance(value, bool):
            raise _error("separate arrival", "separate arrival must be yes or no")

    def __attrs_post_init__(self) -> None:
        if self.interpreter is Need.YES and not self.interpreter_language:
            raise _error("interpreter language", "an interpreter is needed: say in which language")
        if self.welsh_offer is not WelshOffer.NOT_ASKED and self.welsh_offer_on is None:
            raise _error("Welsh offer on", "the Welsh offer was answered: say on which date")

    @property
    def needs_interpreter(self) -> bool:
        return self.interpreter is Need.YES
