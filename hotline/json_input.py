"""JSON that comes from outside (API bodies, the console's GeoJSON fields, live-channel frames), read so
that no input can raise anything but `UnusableJson`, whose message says in one sentence what is wrong.

Python's own `json` lets through what no caller can answer for: nesting deep enough to raise
RecursionError, an integer of more than 4,300 digits (ValueError, not JSONDecodeError), and text no
database can hold — a NUL (PostgreSQL refuses it, SQLite keeps it) or a lone surrogate (no UTF-8 for it).
Here the nesting is measured before parsing, numbers are limited in length while parsing, and every
string (keys too) is looked at after it.
"""

import json
import math
import re

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

# Generous: GeoJSON needs 4 levels, a STIX bundle about 6, a drone-flight request 5.
MAX_DEPTH = 64
# Characters of one number: a coordinate to the nanometre is about 20; far longer ones (10**400) still
# reach the field that refuses them by name, and Python's own limit (4,300 digits) is never reached.
MAX_NUMBER_LENGTH = 1_000

# A string, or what is left of an unterminated one: matching always succeeds where it starts, so taking
# the strings out stays linear (a pattern that must find the closing quote retries from every quote of
# `"\"\"\"…`, quadratic). Possessive: an escape is never taken apart again.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.S)
_BRACKET = re.compile(r"[\[\]{}]")
_UNHOLDABLE = re.compile("[\x00\ud800-\udfff]")


class UnusableJson(ValueError):
    """The text is not JSON, or JSON we refuse; the message is for people. When the text is not JSON
    at all, `syntax` holds the parser's (message, line, column), for a caller that words it its own way."""

    def __init__(self, message: str, syntax: tuple[str, int, int] | None = None):
        super().__init__(message)
        self.syntax = syntax


def _check_depth(text: str) -> None:
    depth = 0
    # Brackets inside strings do not nest: the strings are taken out first (a stray quote only makes
    # the text invalid JSON, which the parser then says).
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > MAX_DEPTH:
            raise UnusableJson(f"The JSON is nested more than {MAX_DEPTH} deep.")


def _number(kind):
    def parse(digits: str):
        if len(digits) > MAX_NUMBER_LENGTH:
            raise UnusableJson(f"The JSON holds a number longer than {MAX_NUMBER_LENGTH} characters.")
        number = kind(digits)
        if kind is float and not math.isfinite(number):  # 1e999
            raise UnusableJson(f"The JSON holds a number too large to use ({digits}).")
        return number

    return parse


def _refuse_constant(name: str):
    raise UnusableJson(f"{name} is not a JSON number.")


def _check_text(value) -> None:
    if isinstance(value, str):
        found = _UNHOLDABLE.search(value)
        if found and found.group() == "\x00":
            raise UnusableJson("The JSON holds text with a NUL character (\\u0000), which no text field may hold.")
        if found:
            raise UnusableJson(
                f"The JSON holds text with a lone surrogate (\\u{ord(found.group()):04x}), which is not a character."
            )
    elif isinstance(value, list):
        for item in value:
            _check_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)


def loads(text: str | bytes):
    """The value of `text` (bytes are read as UTF-8), or UnusableJson saying why not."""
    if isinstance(text, bytes | bytearray):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise UnusableJson("The JSON is not UTF-8 text.") from None
    _check_depth(text)
    try:
        value = json.loads(text, parse_int=_number(int), parse_float=_number(float), parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise UnusableJson(
            f"This is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}).",
            syntax=(error.msg, error.lineno, error.colno),
        ) from None
    except RecursionError:  # not reached within MAX_DEPTH; kept so that nothing else can escape
        raise UnusableJson(f"The JSON is nested more than {MAX_DEPTH} deep.") from None
    _check_text(value)
    return value


class JsonParser(JSONParser):
    """DRF's JSON parser, reading through hotline.json_input: JSON nested too deep, numbers too long and
    text no database holds (NUL, lone surrogates) are 400 `parse_error` saying why, never a 500.
    Every endpoint's parser (settings' DEFAULT_PARSER_CLASSES, and each `parser_classes`) is this one.
    It lives here, not in hotline.api: DRF reads the setting while hotline.api imports APIView."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            return loads(stream.read().decode(encoding))
        except UnicodeDecodeError:
            raise exceptions.ParseError(f"The body is not {encoding} text.") from None
        except UnusableJson as error:
            raise exceptions.ParseError(str(error)) from None


def refuse_loose_json_types() -> None:
    """DRF reads JSON loosely: a number as text (`"foreign_forces": 5` becomes "5"), "true" or 1 as a
    boolean, "5" as a number. The schema says `type: string`, `boolean`, `integer`, and the looseness
    hides a client's mistake, so in a JSON body each field takes its own JSON type only. Form and
    multipart input (a QueryDict), where every value is text, keeps DRF's reading. Patched once, at
    start-up (hotline.console's AppConfig.ready), so that it holds for every serializer."""
    from django.http import QueryDict
    from rest_framework import fields

    expected = {
        fields.CharField: (str,),
        fields.BooleanField: (bool,),
        fields.IntegerField: (int,),
        fields.FloatField: (int, float),
    }
    for field_class, types in expected.items():
        read = field_class.to_internal_value
        if getattr(read, "strict_json_types", False):
            continue

        def to_internal_value(self, data, read=read, types=types):
            from_json = not isinstance(getattr(self.root, "initial_data", None), QueryDict)
            if from_json and (not isinstance(data, types) or (isinstance(data, bool) and bool not in types)):
                self.fail("invalid")
            return read(self, data)

        to_internal_value.strict_json_types = True
        field_class.to_internal_value = to_internal_value
