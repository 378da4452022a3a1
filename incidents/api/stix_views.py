"""STIX 2.1 through the API: `GET incidents/{id}/stix/` and `POST incidents/import-stix/`.

The export answers `application/stix+json;version=2.1` (the STIX 2.1 media type), or plain JSON to a
client that asks for `application/json`; errors are always our JSON errors. The import takes the bundle
as the body, as `application/json` or `application/stix+json`.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import HasRequiredScope
from accounts.choices import ApiScope
from hotline.api import ActionView
from hotline.idempotency.replay import HEADER as IDEMPOTENCY_HEADER
from hotline.json_input import JsonParser
from incidents.access import may_act, require
from incidents.actions import do_import_stix_incident, note_export, resolve_recipients
from incidents.api.serializers import ApiErrorSerializer, IncidentSerializer
from incidents.choices import Severity
from incidents.payloads import incident_payload
from incidents.stix import InvalidBundle, export_bundle, import_bundle
from incidents.visibility import access_incident

STIX_MEDIA_TYPE = "application/stix+json;version=2.1"


class StixRenderer(JSONRenderer):
    # Without the version parameter: DRF's negotiation would otherwise refuse `Accept: */*` and a bare
    # `application/stix+json`. The full media type is set on the answer below.
    media_type = "application/stix+json"
    format = "stix"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = STIX_MEDIA_TYPE if response.status_code < 400 else "application/json"
        return super().render(data, accepted_media_type, renderer_context)


class StixParser(JsonParser):
    media_type = "application/stix+json"


class InvalidStix(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_stix"
    default_detail = "The body is not a valid STIX 2.1 bundle."


def _errors(**described: str) -> dict:
    return {int(code[1:]): OpenApiResponse(ApiErrorSerializer, description=text) for code, text in described.items()}


EXAMPLE_BUNDLE = {
    "type": "bundle",
    "id": "bundle--5b1f3b4e-6a1d-4a8e-9a55-0c4f0d6a2b11",
    "objects": [
        {
            "type": "marking-definition", "spec_version": "2.1",
            "id": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "created": "2022-10-01T00:00:00.000Z",
            "name": "TLP:AMBER",
            "extensions": {
                "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                    "extension_type": "property-extension", "tlp_2_0": "amber",
                },
            },
        },
        {
            "type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created": "2026-11-25T08:00:00.000Z", "modified": "2026-11-25T08:00:00.000Z",
            "name": "DDoS source", "pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix",
            "valid_from": "2026-11-25T08:00:00Z",
            "object_marking_refs": ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"],
        },
    ],
}  # fmt: skip

EXAMPLE_EXPORT = {
    "type": "bundle",
    "id": "bundle--0b8f7f2e-3c55-5d0e-9e0a-6f1d2c3b4a59",
    "objects": [
        EXAMPLE_BUNDLE["objects"][0],
        {
            "type": "identity", "spec_version": "2.1", "id": "identity--3f6c2a0e-5b1d-5f8e-8c2a-1d4e6f7a8b9c",
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": "CERT of Serbia",
            "identity_class": "organization", "x_hotline_code": "RS-CERT", "x_hotline_party": "RS",
            "object_marking_refs": ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"],
        },
        {
            "type": "incident", "spec_version": "2.1", "id": "incident--7c1d9e2f-4a3b-5c6d-8e9f-0a1b2c3d4e5f",
            "created": "2026-11-25T08:03:00.000Z", "modified": "2026-11-25T08:03:00.000Z",
            "created_by_ref": "identity--3f6c2a0e-5b1d-5f8e-8c2a-1d4e6f7a8b9c",
            "name": "DDoS on the e-government portal", "description": "Since 08:00 UTC, 40 Gbit/s from 3,000 sources.",
            "object_marking_refs": ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"],
            "x_hotline_reference": "HL-2026-00042", "x_hotline_category": "cyber", "x_hotline_severity": "high",
            "x_hotline_status": "open", "x_hotline_exercise": False, "x_hotline_occurred_at": "2026-11-25T08:00:00Z",
            "x_hotline_recipients": ["HR-CERT", "HR-MOD"],
        },
    ],
}  # fmt: skip

EXAMPLE_INCIDENT = {
    "id": 42, "reference": "HL-2026-00042", "exercise": False, "category": "cyber", "severity": "high", "tlp": "AMBER",
    "status": "open", "originator": "RS-CERT", "recipients": ["HR-CERT", "HR-MOD"],
    "occurred_at": "2026-11-25T08:00:00+00:00", "created_at": "2026-11-25T08:03:00+00:00",
    "updated_at": "2026-11-25T08:03:00+00:00", "content_withheld": False,
    "title": "STIX: DDoS source", "summary": "Imported from a STIX 2.1 bundle (attached in full):\n…", "location": None,
}  # fmt: skip


class IncidentStixExport(APIView):
    """The incident and its thread as a STIX 2.1 bundle, for those who may read its content."""

    permission_classes = [IsAuthenticated, HasRequiredScope]
    required_scope = ApiScope.INCIDENTS_READ
    renderer_classes = [StixRenderer, JSONRenderer]

    @extend_schema(
        operation_id="incidents_stix_export",
        summary="Export an incident as a STIX 2.1 bundle",
        description=(
            "An `identity` per organisation, the `incident` (our fields as `x_hotline_` properties), a `note` per "
            "message, and the OASIS TLP 2.0 marking definition that marks every object. An exercise is flagged "
            "(`x_hotline_exercise`), labelled `exercise` and named `[EXERCISE] …`. Recorded in the audit log."
        ),
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="A STIX 2.1 bundle.",
                examples=[OpenApiExample("An incident", value=EXAMPLE_EXPORT)],
            ),
            **_errors(
                _401="No credentials, or an API key that is malformed, unknown, revoked or expired.",
                _403="The key lacks `incidents:read` (`missing_scope`).",
                _404="No such incident, or not one whose content the caller may read (`not_found`).",
            ),
        },
    )
    def get(self, request, pk: int):
        incident = access_incident(request.user, pk, content=True)
        bundle = export_bundle(incident)
        note_export(request.user, incident, "stix")
        return Response(bundle)


class ImportQuery(serializers.Serializer):
    recipients = serializers.CharField(
        help_text="Organisation or party codes, comma-separated: `HR-CERT,HR-MOD` or `HR`."
    )
    severity = serializers.ChoiceField(
        Severity.choices, required=False, help_text="Overrides the bundle's; needed when the bundle has none."
    )
    exercise = serializers.BooleanField(
        required=False, default=False, help_text="Mark the incident as an exercise (a bundle marked as one stays one)."
    )


class IncidentStixImport(ActionView):
    """Report an incident from a STIX 2.1 bundle: the query names the recipients, the body is the bundle."""

    permission_classes = [IsAuthenticated, HasRequiredScope]
    required_scope = ApiScope.INCIDENTS_WRITE
    parser_classes = [JsonParser, StixParser]
    input_serializer = ImportQuery

    def permit(self, caller, _):
        require(may_act(caller), caller, "report incidents")

    def input_data(self, request):
        return request.query_params

    def clean(self, caller, _, query):
        codes = [code for code in query["recipients"].split(",") if code.strip()]
        recipients = resolve_recipients(codes, caller.organisation)
        try:
            imported = import_bundle(self.request.data)
        except InvalidBundle as error:
            raise InvalidStix(str(error)) from None
        severity = query.get("severity") or imported.severity
        if severity is None:
            raise ValidationError({"severity": ["The bundle does not give a severity: choose one with ?severity=."]})
        return {"imported": imported, "recipients": recipients, "severity": severity, "exercise": query["exercise"]}

    def act(self, caller, _, data):
        return do_import_stix_incident(caller, **data, bundle=self.raw_body)

    def answer(self, caller, _, incident):
        return Response(incident_payload(incident, content=True), status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="incidents_stix_import",
        summary="Report an incident from a STIX 2.1 bundle",
        description=(
            "From an `incident` object (our `x_hotline_` properties read back when present), or else from `indicator`, "
            "`observed-data` and `sighting` objects (a cyber incident listing them, with the bundle kept as an "
            "attachment). TLP from the bundle's markings (TLP 2.0, or TLP 1.0 with WHITE read as CLEAR; the narrowest "
            "wins); an unmarked bundle is AMBER. An invalid bundle gets 400 `invalid_stix` with the validation message."
        ),
        parameters=[
            ImportQuery,
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                description="A retry with the same key and body gets the first answer again and creates nothing.",
            ),
        ],
        request={"application/json": OpenApiTypes.OBJECT, "application/stix+json": OpenApiTypes.OBJECT},
        examples=[OpenApiExample("An indicator, TLP:AMBER", value=EXAMPLE_BUNDLE, request_only=True)],
        responses={
            201: OpenApiResponse(
                IncidentSerializer,
                description="The incident created.",
                examples=[OpenApiExample("Created", value=EXAMPLE_INCIDENT)],
            ),
            **_errors(
                _400="`invalid_stix` with the validation message in `detail`; or `invalid` with field errors "
                "(recipients, severity, the attachment).",
                _401="No credentials, or an API key that is malformed, unknown, revoked or expired.",
                _403="The key lacks `incidents:write` (`missing_scope`), "
                "or the caller may not report (`permission_denied`).",
                _415="The body is neither application/json nor application/stix+json (`unsupported_media_type`).",
                _422="The Idempotency-Key was used for another request (`idempotency_key_reused`).",
            ),
        },
    )
    def post(self, request):
        # Read the raw body before DRF parses the stream: kept as the attachment, byte for byte.
        self.raw_body = request.body
        return self.run_action(request)
