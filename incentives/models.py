"""Every model of incentives, re-exported from its sub-domain."""

from incentives.hiring.models import HeadcountRequest, HiringPlan, Position
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
    "HeadcountRequest",
    "HiringPlan",
    "LineKind",
    "Measure",
    "PayoutLine",
    "PayoutRun",
    "PlanVersion",
    "Position",
    "RunState",
    "Sprint",
    "SprintMember",
    "SprintTeam",
    "Target",
    "TargetChange",
    "TieBreak",
    "Tier",
]
