"""Every model of incentives, re-exported from its sub-domain."""

from incentives.payouts.models import LineKind, PayoutLine, PayoutRun, RunState
from incentives.plans.models import Basis, CommissionPlan, PlanVersion, Tier
from incentives.sprints.models import (
    Award,
    Measure,
    Sprint,
    SprintMember,
    SprintTeam,
    Target,
    TargetChange,
    TieBreak,
)

__all__ = [
    "Award",
    "Basis",
    "CommissionPlan",
    "LineKind",
    "Measure",
    "PayoutLine",
    "PayoutRun",
    "PlanVersion",
    "RunState",
    "Sprint",
    "SprintMember",
    "SprintTeam",
    "Target",
    "TargetChange",
    "TieBreak",
    "Tier",
]
