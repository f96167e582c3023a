"""The eval file format as pydantic models: one question (an item) and its checks."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

# The keys an item may have in a YAML file, in the order the error messages list them.
FIELDS = ("id", "question", "history", "expect", "forbid", "sources", "abstain", "tags")
LIST_FIELDS = ("history", "expect", "forbid", "sources", "tags")


class EvalFormatError(ValueError):
    """An eval file or item is malformed; the message names the file and the item."""


def kind(value: Any) -> str:
    """How a YAML value is named in Swedish error messages."""
    return {dict: "en mappning", list: "en lista", str: "en sträng"}.get(
        type(value), f"{type(value).__name__} ({value!r})"
    )


def text_value(value: Any, allow_empty: bool = False) -> str:
    """A non-empty string. Integers and dates are taken as written (YAML reads 2003 and
    2019-04-23 as numbers and dates); anything else must be quoted."""
    if isinstance(value, bool) or not isinstance(value, str | int | dt.date):
        raise PydanticCustomError(
            "text_type",
            "ska vara en sträng, inte {kind}; sätt citattecken runt värdet",
            {"kind": kind(value)},
        )
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if not allow_empty and not text.strip():
        raise PydanticCustomError("text_empty", "får inte vara tom")
    return text


def _text(value: Any, info: ValidationInfo) -> str:
    # Emptiness is an error of the file format only: an Item built in Python may hold an empty
    # question, to test how the bot rejects it.
    return text_value(value, allow_empty=not (info.context and "file" in info.context))


def _alternatives(value: Any) -> Any:
    if isinstance(value, list) and not value:
        raise PydanticCustomError("alternatives_empty", "en lista med alternativ får inte vara tom")
    return value


Text = Annotated[str, BeforeValidator(_text)]
# A fact the answer must hold: a string, or a list of alternatives of which any one will do.
Expectation = Annotated[
    Annotated[Text, Tag("text")]
    | Annotated[list[Text], BeforeValidator(_alternatives), Tag("alternatives")],
    Discriminator(lambda v: "alternatives" if isinstance(v, list) else "text"),
]


class Item(BaseModel):
    """One eval question and what its answer must (and must not) contain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Text
    question: Text
    history: list[Text] = []
    expect: list[Expectation] = []
    forbid: list[Text] = []
    sources: list[Text] = []
    abstain: bool = False
    tags: list[Text] = []
    file: str = ""  # set by the loader, never written in a YAML file

    @model_validator(mode="before")
    @classmethod
    def _yaml_keys(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            raise PydanticCustomError(
                "item_type",
                "ska vara en mappning (id, question, ...), inte {kind}",
                {"kind": kind(data)},
            )
        if not (info.context and "file" in info.context):
            return data  # built in Python, not read from a file
        unknown = [str(k) for k in data if k not in FIELDS]
        if unknown:
            hints = []
            for key in unknown:
                close = difflib.get_close_matches(key, FIELDS, n=1)
                hints.append(f"{key!r}" + (f" (menade du {close[0]!r}?)" if close else ""))
            raise PydanticCustomError(
                "unknown_key",
                "okänd nyckel {keys}; tillåtna är {allowed}",
                {"keys": ", ".join(hints), "allowed": ", ".join(FIELDS)},
            )
        return {**data, "file": str(info.context["file"])}

    @field_validator("question", mode="before")
    @classmethod
    def _question_given(cls, value: Any) -> Any:
        if value is None:
            raise PydanticCustomError("missing", "saknar question")
        return value

    @field_validator(*LIST_FIELDS, mode="before")
    @classmethod
    def _list(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return []
        if not isinstance(value, list):
            raise PydanticCustomError(
                "list_type",
                "{field} ska vara en lista, t.ex. {field}: [...], inte {kind}",
                {"field": info.field_name, "kind": kind(value)},
            )
        return value

    @field_validator("abstain", mode="before")
    @classmethod
    def _bool(cls, value: Any) -> Any:
        if value is None:
            return False
        if not isinstance(value, bool):
            raise PydanticCustomError(
                "bool_type",
                "{field} ska vara true eller false, inte {value}",
                {"field": "abstain", "value": repr(value)},
            )
        return value

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _abstain_alone(self) -> Item:
        if self.abstain and (self.expect or self.sources):
            raise PydanticCustomError(
                "abstain_conflict",
                "abstain: true kan inte kombineras med expect eller sources "
                "(boten ska ju avstå); använd forbid för det som inte får stå i svaret",
            )
        return self

    @classmethod
    def from_yaml(cls, raw: Any, file: str, number: int) -> Item:
        """Validate one entry of an eval file; errors name the file and the item (its id, or
        its position when the id itself is missing or bad)."""
        try:
            return cls.model_validate(raw, context={"file": file})
        except ValidationError as exc:
            raise EvalFormatError(f"{_where(raw, file, number)}: {describe(exc)}") from None


def _where(raw: Any, file: str, number: int) -> str:
    if isinstance(raw, dict) and raw.get("id") is not None:
        try:
            return f"{file}: fråga {text_value(raw['id'])!r}"
        except PydanticCustomError:
            pass
    return f"{file}: fråga nr {number}"


def describe(exc: ValidationError) -> str:
    """pydantic's errors in Swedish: the location (expect[0]) and what is wrong with it."""
    messages = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if isinstance(p, int) or p == err["loc"][0]]
        where = "".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc)
        ctx = err.get("ctx") or {}
        if err["type"] == "missing":
            messages.append(err["msg"] if err["msg"].startswith("saknar") else f"saknar {where}")
        elif err["type"] == "extra_forbidden":
            messages.append(f"okänd nyckel {where!r}; tillåtna är {', '.join(FIELDS)}")
        elif not where or "field" in ctx:
            messages.append(err["msg"])  # the message names its field itself, or has none
        else:
            messages.append(f"{where}: {err['msg']}")
    return "; ".join(dict.fromkeys(messages))
