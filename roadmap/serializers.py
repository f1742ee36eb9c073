"""DRF serializers of requirement review: input and output apart; amounts as strings."""

from __future__ import annotations

from rest_framework import serializers

from collab.money import MoneyOutput
from collab.parsing import BoundedDateSerializerField, IdSerializerField
from roadmap.models import (
    Backer,
    BoardItem,
    Decision,
    Feasibility,
    Impact,
    Release,
    Requirement,
    ReviewBoard,
    Verdict,
)


class BackerOutput(serializers.ModelSerializer):
    class Meta:
        model = Backer
        fields = ["id", "account_id", "opportunity_id", "needed_for_renewal", "added_at"]


class RequirementOutput(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    revenue_at_stake = MoneyOutput(many=True, read_only=True, source="revenue")
    reach = serializers.IntegerField(read_only=True)

    class Meta:
        model = Requirement
        fields = [
            "id",
            "reference",
            "title",
            "background",
            "pain_point",
            "expected_outcome",
            "state",
            "impact",
            "submitted_by_id",
            "submitted_at",
            "reach",
            "revenue_at_stake",
            "assessment_request_id",
            "feasibility",
            "feasibility_reason",
            "cost_low_days",
            "cost_high_days",
            "resources",
            "risks",
            "needs_prototype",
            "priority",
            "decided_at",
            "decline_reason",
            "revisit_on",
            "release_id",
            "shipped_at",
            "merged_into_id",
        ]


class RequirementDetailOutput(RequirementOutput):
    backers = BackerOutput(many=True, read_only=True, source="backer_rows")

    class Meta(RequirementOutput.Meta):
        fields = [*RequirementOutput.Meta.fields, "backers"]


class SubmitInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, allow_blank=True)
    background = serializers.CharField(allow_blank=True)
    pain_point = serializers.CharField(allow_blank=True)
    expected_outcome = serializers.CharField(allow_blank=True)
    impact = serializers.ChoiceField(choices=Impact.choices, default=Impact.MEDIUM)
    account_ids = serializers.ListField(child=IdSerializerField(), default=list, max_length=50)
    opportunity_ids = serializers.ListField(child=IdSerializerField(), default=list, max_length=50)


class BackInput(serializers.Serializer):
    account_ids = serializers.ListField(child=IdSerializerField(), default=list, max_length=50)
    opportunity_ids = serializers.ListField(child=IdSerializerField(), default=list, max_length=50)
    needed_for_renewal = serializers.BooleanField(default=False)


class AssessInput(serializers.Serializer):
    feasibility = serializers.ChoiceField(choices=Feasibility.choices)
    feasibility_reason = serializers.CharField(allow_blank=True, default="")
    cost_low_days = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0)
    cost_high_days = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0)
    resources = serializers.CharField(allow_blank=True, default="")
    risks = serializers.CharField(allow_blank=True, default="")
    needs_prototype = serializers.BooleanField(default=False)


class MergeInput(serializers.Serializer):
    into = IdSerializerField()


class PrototypeCustomerInput(serializers.Serializer):
    account_id = IdSerializerField()
    contact_id = IdSerializerField(required=False, allow_null=True, default=None)


class PrototypeInput(serializers.Serializer):
    link = serializers.URLField(allow_blank=True, default="")
    description = serializers.CharField(allow_blank=True, default="")
    window_start = BoundedDateSerializerField()
    window_end = BoundedDateSerializerField()
    customers = PrototypeCustomerInput(many=True)


class VerdictInput(serializers.Serializer):
    account_id = IdSerializerField()
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    notes = serializers.CharField(allow_blank=True, default="")


class BoardItemOutput(serializers.ModelSerializer):
    class Meta:
        model = BoardItem
        fields = [
            "id",
            "requirement_id",
            "score",
            "decision",
            "priority",
            "note",
            "decided_by_id",
            "decided_at",
        ]


class BoardOutput(serializers.ModelSerializer):
    class Meta:
        model = ReviewBoard
        fields = ["id", "slot", "starts_at", "held_at", "minutes"]


class BoardDetailOutput(BoardOutput):
    agenda = BoardItemOutput(many=True, read_only=True)
    score_formula = serializers.CharField(read_only=True)

    class Meta(BoardOutput.Meta):
        fields = [*BoardOutput.Meta.fields, "agenda", "score_formula"]


class DecideInput(serializers.Serializer):
    requirement_id = IdSerializerField()
    decision = serializers.ChoiceField(choices=Decision.choices)
    priority = serializers.IntegerField(
        min_value=1, max_value=99, required=False, allow_null=True, default=None
    )
    note = serializers.CharField(allow_blank=True, default="")
    release_id = IdSerializerField(required=False, allow_null=True, default=None)
    revisit_on = BoundedDateSerializerField(required=False, allow_null=True, default=None)


class ReleaseOutput(serializers.ModelSerializer):
    class Meta:
        model = Release
        fields = ["id", "version", "planned_on", "shipped_at"]


class ReleaseInput(serializers.Serializer):
    version = serializers.CharField(max_length=40)
    planned_on = BoundedDateSerializerField()
