"""REST API of sprints, targets, awards, plans and payout runs.

HR and the Business head manage; Finance approves runs; a rep reads the
sprints they are in, the public leaderboard (attainment and rank) and only
their own payout lines, never another rep's commission.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from collab.api import TenantAPIMixin
from collab.money import AmountSerializerField
from collab.parsing import BoundedDateSerializerField, IdSerializerField
from incentives import permissions
from incentives.forms import ATTAINMENT_MAX
from incentives.payouts import selectors as payout_selectors
from incentives.payouts import services as payout_services
from incentives.payouts.models import PayoutLine, PayoutRun
from incentives.plans import selectors as plan_selectors
from incentives.plans import services as plan_services
from incentives.plans.models import Basis, CommissionPlan
from incentives.sprints import selectors, services
from incentives.sprints.models import TENURE_MAX_DAYS, Measure, Sprint, TieBreak
from pricing.catalog.models import Category


def _require(rule, membership) -> None:
    if not rule(membership):
        raise exceptions.PermissionDenied()


class IncentivesViewSetMixin(TenantAPIMixin):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _require(permissions.can_view, request.membership)


# --- sprints -------------------------------------------------------------------------------


class SprintOutput(serializers.ModelSerializer):
    # One of the measures (won, collected, new_accounts, product_mix); a plain
    # string so the schema names the measures' choice set once (MeasureEnum).
    ranking_measure = serializers.CharField()
    mix_category = serializers.CharField()

    class Meta:
        model = Sprint
        fields = ["id", "name", "theme", "start", "end", "currency", "ranking_measure", "plan"]
        fields += ["mix_category", "mix_bundle"]


class SprintInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    theme = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    start = BoundedDateSerializerField()
    end = BoundedDateSerializerField()
    ranking_measure = serializers.CharField(max_length=16, default=Measure.WON)
    plan_id = IdSerializerField(required=False, allow_null=True, default=None)
    mix_category = serializers.ChoiceField(
        choices=Category.choices, required=False, default="", allow_blank=True
    )
    mix_bundle_id = IdSerializerField(required=False, allow_null=True, default=None)


class MixInput(serializers.Serializer):
    """The product-mix focus: one of ``category`` or ``bundle_id`` (both empty: none)."""

    category = serializers.ChoiceField(
        choices=Category.choices, required=False, default="", allow_blank=True
    )
    bundle_id = IdSerializerField(required=False, allow_null=True, default=None)


class FigureOutput(serializers.Serializer):
    target = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    actual = serializers.DecimalField(max_digits=14, decimal_places=2)
    attainment = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    gap = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class RowOutput(serializers.Serializer):
    id = serializers.IntegerField(source="key")
    name = serializers.CharField()
    team = serializers.CharField(source="team_name")
    rank = serializers.IntegerField()
    won = FigureOutput(source="figures.won")
    collected = FigureOutput(source="figures.collected")
    new_accounts = FigureOutput(source="figures.new_accounts")
    product_mix = FigureOutput(source="figures.product_mix")
    forecast = serializers.DecimalField(max_digits=14, decimal_places=2)


class StandingOutput(serializers.Serializer):
    award = serializers.CharField(source="award.name")
    winners = serializers.SerializerMethodField()

    def get_winners(self, obj) -> list[int]:
        return [row.key for row in obj.winners]


class ProgressOutput(serializers.Serializer):
    today = serializers.DateField()
    working_days_left = serializers.IntegerField()
    reps = RowOutput(many=True)
    teams = RowOutput(many=True)
    awards = StandingOutput(many=True)


class TargetInput(serializers.Serializer):
    measure = serializers.ChoiceField(choices=Measure.choices)
    amount = AmountSerializerField()
    user = IdSerializerField(required=False, allow_null=True, default=None)
    team = IdSerializerField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class AwardInput(serializers.Serializer):
    name_zh = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    measure = serializers.ChoiceField(choices=Measure.choices, default=Measure.WON)
    top_n = serializers.IntegerField(min_value=1, max_value=100, default=1)
    min_attainment = serializers.DecimalField(
        max_digits=7, decimal_places=2, min_value=0, max_value=ATTAINMENT_MAX, default=100
    )
    tie_break = serializers.ChoiceField(choices=TieBreak.choices, default=TieBreak.AMOUNT)
    min_tenure_days = serializers.IntegerField(min_value=0, max_value=TENURE_MAX_DAYS, default=0)
    prize_amount = AmountSerializerField(default=0)
    prize_item = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)


class PayoutLineOutput(serializers.ModelSerializer):
    class Meta:
        model = PayoutLine
        fields = [
            "user",
            "kind",
            "opportunity",
            "deal_name",
            "credited_on",
            "basis_amount",
            "rate",
            "tier_label",
            "category",
            "bundle",
            "category_rate",
            "version",
            "award",
            "note",
            "amount",
        ]


class RunWarningOutput(serializers.Serializer):
    """A deal paid nothing (``no_version``: no plan version on its win day) or
    paid at the tier rate for a sold category or bundle without a rate
    (``no_rate``: ``category`` or ``bundle_id`` names it)."""

    kind = serializers.CharField(default="no_version")
    opportunity_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    day = serializers.DateField()
    category = serializers.CharField(required=False)
    bundle_id = serializers.IntegerField(required=False, allow_null=True)


class PayoutRunOutput(serializers.ModelSerializer):
    lines = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = PayoutRun
        fields = ["id", "sprint", "number", "state", "currency", "total", "computed_at"]
        fields += ["approved_at", "approval_request", "approval_note", "warnings", "lines"]

    def _membership(self):
        return self.context["request"].membership

    def get_lines(self, obj) -> list[dict]:
        lines = payout_selectors.lines_visible_to(self._membership(), obj)
        return PayoutLineOutput(lines, many=True).data

    @extend_schema_field(RunWarningOutput(many=True))
    def get_warnings(self, obj) -> list[dict]:
        """The review's warnings, for those who see every figure (they name
        other reps' deals); a rep gets none, as on the run page."""
        if not permissions.sees_all_figures(self._membership()):
            return []
        return [{"kind": "no_version", **w} for w in obj.warnings]

    def get_total(self, obj) -> str | None:
        """The run's total for those who see every figure; a rep gets none."""
        return str(obj.total) if permissions.sees_all_figures(self._membership()) else None


class RunDecisionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["reject", "send_back"])
    reason = serializers.CharField(max_length=2000)


class SprintViewSet(
    IncentivesViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Sprints the member may see (managers: all; a rep: the ones they are in)."""

    model = Sprint
    serializer_class = SprintOutput

    def get_scoped_queryset(self):
        return (
            selectors.sprints_visible_to(self.request.membership)
            .distinct()
            .order_by("-start", "-id")
        )

    @extend_schema(request=SprintInput, responses={201: SprintOutput})
    def create(self, request):
        data = SprintInput(data=request.data)
        data.is_valid(raise_exception=True)
        sprint = services.sprint_create(actor=request.membership, **data.validated_data)
        return Response(SprintOutput(sprint).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ProgressOutput)
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        sprint = self.get_object()
        progress = selectors.sprint_progress(sprint)
        standings = [selectors.award_standings(a, progress) for a in sprint.awards.all()]
        payload = {
            "today": progress.today,
            "working_days_left": progress.working_days_left,
            "reps": progress.reps,
            "teams": progress.teams,
            "awards": standings,
        }
        return Response(ProgressOutput(payload).data)

    @extend_schema(request=TargetInput, responses={201: None})
    @action(detail=True, methods=["post"])
    def targets(self, request, pk=None):
        sprint = self.get_object()
        data = TargetInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        target = services.target_set(
            actor=request.membership,
            sprint=sprint,
            measure=v["measure"],
            amount=v["amount"],
            user_id=v["user"],
            team_id=v["team"],
            reason=v["reason"],
        )
        return Response({"id": target.pk, "amount": str(target.amount)}, status=201)

    @extend_schema(request=MixInput, responses=SprintOutput)
    @action(detail=True, methods=["post"])
    def mix(self, request, pk=None):
        """Set the category or bundle the product-mix measure counts."""
        sprint = self.get_object()
        data = MixInput(data=request.data)
        data.is_valid(raise_exception=True)
        sprint = services.sprint_set_mix(
            actor=request.membership, sprint=sprint, **data.validated_data
        )
        return Response(SprintOutput(sprint).data)

    @extend_schema(request=AwardInput, responses={201: None})
    @action(detail=True, methods=["post"])
    def awards(self, request, pk=None):
        sprint = self.get_object()
        data = AwardInput(data=request.data)
        data.is_valid(raise_exception=True)
        award = services.award_set(actor=request.membership, sprint=sprint, **data.validated_data)
        return Response({"id": award.pk}, status=201)

    @extend_schema(request=None, responses={201: PayoutRunOutput})
    @action(detail=True, methods=["post"])
    def compute(self, request, pk=None):
        run = payout_services.payout_compute(actor=request.membership, sprint=self.get_object())
        return Response(PayoutRunOutput(run, context={"request": request}).data, status=201)


# --- plans ---------------------------------------------------------------------------------


class TierOutput(serializers.Serializer):
    from_pct = serializers.DecimalField(max_digits=7, decimal_places=2)
    to_pct = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    rate = serializers.DecimalField(max_digits=6, decimal_places=3)


class RateLineOutput(serializers.Serializer):
    category = serializers.CharField()
    bundle_id = serializers.IntegerField(allow_null=True)
    rate = serializers.DecimalField(max_digits=6, decimal_places=3)


@extend_schema_serializer(component_name="CommissionPlanVersion")
class VersionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    effective_from = serializers.DateField()
    cap = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    tiers = TierOutput(many=True, source="tiers.all")
    rate_lines = RateLineOutput(many=True, source="rate_lines.all")


class RateGapOutput(serializers.Serializer):
    """A won deal whose sold category or bundle its version does not rate."""

    opportunity_id = serializers.IntegerField()
    name = serializers.CharField()
    day = serializers.DateField()
    category = serializers.CharField()
    bundle_id = serializers.IntegerField(allow_null=True)


class PlanOutput(serializers.ModelSerializer):
    versions = VersionOutput(many=True, source="versions.all")
    rate_gaps = serializers.SerializerMethodField()

    class Meta:
        model = CommissionPlan
        fields = ["id", "name", "basis", "currency", "versions", "rate_gaps"]

    @extend_schema_field(RateGapOutput(many=True))
    def get_rate_gaps(self, obj) -> list[dict]:
        """Won deals paid at the tier rate for want of a rate line (at most 50)."""
        return RateGapOutput(plan_selectors.plan_rate_gaps(obj), many=True).data


@extend_schema_serializer(component_name="CommissionPlanInput")
class PlanInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    basis = serializers.ChoiceField(choices=Basis.choices)


class TierInputSerializer(serializers.Serializer):
    from_pct = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0)
    to_pct = serializers.DecimalField(
        max_digits=7, decimal_places=2, min_value=0, allow_null=True, default=None
    )
    rate = serializers.DecimalField(max_digits=6, decimal_places=3, min_value=0, max_value=100)


class RateLineInput(serializers.Serializer):
    """One of ``category`` (a product category) or ``bundle_id`` (a promotion bundle)."""

    category = serializers.ChoiceField(
        choices=Category.choices, required=False, default="", allow_blank=True
    )
    bundle_id = IdSerializerField(required=False, allow_null=True, default=None)
    rate = serializers.DecimalField(max_digits=6, decimal_places=3, min_value=0, max_value=100)


@extend_schema_serializer(component_name="CommissionPlanVersionInput")
class VersionInput(serializers.Serializer):
    effective_from = BoundedDateSerializerField()
    tiers = TierInputSerializer(many=True)
    rate_lines = RateLineInput(many=True, required=False, default=list)
    cap = AmountSerializerField(required=False, allow_null=True, default=None, allow_zero=False)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class PlanViewSet(
    IncentivesViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Commission plans with their versions and tiers (managers, Finance, ops)."""

    model = CommissionPlan
    serializer_class = PlanOutput

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _require(permissions.sees_all_figures, request.membership)

    def get_scoped_queryset(self):
        return plan_selectors.plans_all()

    @extend_schema(request=PlanInput, responses={201: PlanOutput})
    def create(self, request):
        data = PlanInput(data=request.data)
        data.is_valid(raise_exception=True)
        plan = plan_services.plan_create(actor=request.membership, **data.validated_data)
        return Response(PlanOutput(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VersionInput, responses={201: PlanOutput})
    @action(detail=True, methods=["post"])
    def versions(self, request, pk=None):
        plan = self.get_object()
        data = VersionInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        plan_services.version_add(
            actor=request.membership,
            plan=plan,
            effective_from=v["effective_from"],
            tiers=[plan_services.TierInput(**t) for t in v["tiers"]],
            cap=v["cap"],
            note=v["note"],
            rates=[plan_services.RateInput(**r) for r in v["rate_lines"]],
        )
        return Response(PlanOutput(self.get_object()).data, status=201)


# --- payout runs ---------------------------------------------------------------------------


class PayoutRunViewSet(
    IncentivesViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Payout runs of the sprints the member sees; lines: only their own for a rep."""

    model = PayoutRun
    serializer_class = PayoutRunOutput

    def get_scoped_queryset(self):
        sprints = selectors.sprints_visible_to(self.request.membership).values("pk")
        return PayoutRun.objects.filter(sprint_id__in=sprints).order_by("sprint_id", "number")

    @extend_schema(request=None, responses=PayoutRunOutput)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        run = payout_services.payout_submit(actor=request.membership, run=self.get_object())
        return Response(self.get_serializer(run).data)

    @extend_schema(request=None, responses=PayoutRunOutput)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        run = payout_services.payout_approve(actor=request.membership, run=self.get_object())
        return Response(self.get_serializer(run).data)

    @extend_schema(request=RunDecisionInput, responses=PayoutRunOutput)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Reject or send back the run's pending approval step (its approver only)."""
        run = self.get_object()
        data = RunDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = payout_services.payout_decide(
            actor=request.membership, run=run, **data.validated_data
        )
        return Response(self.get_serializer(run).data)
