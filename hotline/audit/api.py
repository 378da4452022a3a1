"""GET /api/v1/audit/verify/, /api/v1/audit/checkpoints/, /api/v1/audit/consistency/."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from hotline.audit.access import may_read_checkpoints, may_verify
from hotline.audit.checkpoints import stored_checkpoints
from hotline.audit.merkle import consistency_proof
from hotline.audit.models import AuditCheckpoint
from hotline.audit.refusals import refuse
from hotline.audit.signing import verifier_key
from hotline.audit.verify import Verdict, read_chain, verify_log


class AuditRefused(PermissionDenied):
    default_code = "audit_access_refused"


VerdictSerializer = inline_serializer(
    "AuditVerdict",
    {
        "ok": serializers.BooleanField(),
        "tree_size": serializers.IntegerField(),
        "root": serializers.CharField(),
        "first_bad_entry": serializers.IntegerField(allow_null=True),
        "problem": serializers.CharField(),
        "checked_checkpoints": serializers.ListField(child=serializers.IntegerField()),
    },
)


class AuditVerifyView(APIView):
    """The chain's status: every entry unchanged and chained, every published checkpoint still held."""

    @extend_schema(responses=VerdictSerializer)
    def get(self, request):
        if not may_verify(request.user):
            raise refuse(request.user, "verify the audit log", refusal=AuditRefused)
        return Response(verify_log(stored_checkpoints()).as_dict())


class CheckpointSerializer(serializers.ModelSerializer):
    root_hash = serializers.SerializerMethodField()

    class Meta:
        model = AuditCheckpoint
        fields = ["tree_size", "root_hash", "created_at", "note"]

    def get_root_hash(self, checkpoint) -> str:
        return bytes(checkpoint.root_hash).hex()


class CheckpointList(APIView):
    """Signed checkpoints, newest first, with the verifier key to check them. Keep them outside Hotline."""

    @extend_schema(
        parameters=[OpenApiParameter("limit", int, description="how many, newest first (default 50, at most 1000)")],
        responses=inline_serializer(
            "Checkpoints", {"verifier_key": serializers.CharField(), "checkpoints": CheckpointSerializer(many=True)}
        ),
    )
    def get(self, request):
        if not may_read_checkpoints(request.user):
            raise refuse(request.user, "read the audit checkpoints", refusal=AuditRefused)
        try:
            limit = min(max(int(request.query_params.get("limit", 50)), 1), 1000)
        except ValueError:
            raise ValidationError({"limit": ["Enter a whole number."]}) from None
        checkpoints = AuditCheckpoint.objects.order_by("-tree_size")[:limit]
        return Response(
            {"verifier_key": verifier_key(), "checkpoints": CheckpointSerializer(checkpoints, many=True).data}
        )


class ConsistencyProof(APIView):
    """The RFC 9162 proof that the log of `second` entries extends the log of `first` entries."""

    @extend_schema(
        parameters=[OpenApiParameter("first", int, required=True), OpenApiParameter("second", int, required=True)],
        responses=inline_serializer(
            "ConsistencyProof",
            {
                "first": serializers.IntegerField(),
                "second": serializers.IntegerField(),
                "proof": serializers.ListField(child=serializers.CharField()),
            },
        ),
    )
    def get(self, request):
        if not may_read_checkpoints(request.user):
            raise refuse(request.user, "read audit proofs", refusal=AuditRefused)
        try:
            first, second = int(request.query_params["first"]), int(request.query_params["second"])
        except (KeyError, ValueError):
            raise ValidationError({"first": ["Give first and second as whole numbers."]}) from None
        verdict = Verdict()
        leaves = read_chain(verdict)
        if not 0 < first <= second <= len(leaves):
            raise ValidationError({"second": [f"Sizes must satisfy 0 < first ≤ second ≤ {len(leaves)}."]})
        proof = consistency_proof(leaves[:second], first)
        return Response({"first": first, "second": second, "proof": [node.hex() for node in proof]})
