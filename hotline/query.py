"""Query parameters of the API that are checked and described in one place, so the schema says exactly
what the code accepts (schemathesis holds the two together: tests/incidents/test_schemathesis.py)."""

from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions


class WholeNumber:
    """A query parameter that is a whole number in a range: `read` checks it (400 `invalid` outside the
    range, never clamped) and `parameter` describes it, so the schema says exactly what the code does."""

    def __init__(self, name: str, lowest: int, highest: int, *, default: int | None = None, description: str = ""):
        self.name, self.lowest, self.highest, self.default = name, lowest, highest, default
        self.description = description

    def read(self, request, required: bool = False) -> int | None:
        raw = request.query_params.get(self.name)
        if raw is None and not required:
            return self.default
        if raw is None or not raw.isascii() or not raw.isdigit() or not self.lowest <= int(raw) <= self.highest:
            message = f"Give a whole number from {self.lowest} to {self.highest}."
            raise exceptions.ValidationError({self.name: [message]})
        return int(raw)

    def parameter(self, required: bool = False) -> OpenApiParameter:
        schema = {"type": "integer", "minimum": self.lowest, "maximum": self.highest}
        if self.default is not None:
            schema["default"] = self.default
        return OpenApiParameter(self.name, schema, required=required, description=self.description)
