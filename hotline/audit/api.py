"""GET /api/v1/audit/verify/, /api/v1/audit/checkpoints/, /api/v1/audit/consistency/."""

from drf_spectacular.utils import extend_schema, inline_serializer
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
from hotline.db import LARGEST_ID
from hotline.query import WholeNumber


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


CHECKPOINT_LIMIT = WholeNumber("limit", 1, 1000, default=50, description="How many, newest first.")
# A log's sizes; that `first` ≤ `second` ≤ the log's size is checked against the log itself.
PROOF_FIRST = WholeNumber("first", 1, LARGEST_ID, description="The size of the earlier log.")
PROOF_SECOND = WholeNumber("second", 1, LARGEST_ID, description="The size of the later log (at least `first`).")


class CheckpointList(APIView):
    """Signed checkpoints, newest first, with the verifier key to check them. Keep them outside Hotline."""

    @extend_schema(
        parameters=[CHECKPOINT_LIMIT.parameter()],
        responses=inline_serializer(
            "Checkpoints", {"verifier_key": serializers.CharField(), "checkpoints": CheckpointSerializer(many=True)}
        ),
    )
    def get(self, request):
        if not may_read_checkpoints(request.user):
            raise refuse(request.user, "read the audit checkpoints", refusal=AuditRefused)
        limit = CHECKPOINT_LIMIT.read(request)
        checkpoints = AuditCheckpoint.objects.order_by("-tree_size")[:limit]
        return Response(
            {"verifier_key": verifier_key(), "checkpoints": CheckpointSerializer(checkpoints, many=True).data}
        )


class ConsistencyProof(APIView):
    """The RFC 9162 proof that the log of `second` entries extends the log of `first` entries."""

    @extend_schema(
        parameters=[PROOF_FIRST.parameter(required=True), PROOF_SECOND.parameter(required=True)],
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
        first, second = PROOF_FIRST.read(request, required=True), PROOF_SECOND.read(request, required=True)
        verdict = Verdict()
        leaves = read_chain(verdict)
        if not 0 < first <= second <= len(leaves):
            raise ValidationError({"second": [f"Sizes must satisfy 0 < first ≤ second ≤ {len(leaves)}."]})
        proof = consistency_proof(leaves[:second], first)
        return Response({"first": first, "second": second, "proof": [node.hex() for node in proof]})
