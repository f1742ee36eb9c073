"""Every model of pipeline, re-exported: Django registers the app's models from
here, other apps import them from here (``from pipeline.models import Opportunity``),
and migrations name ``pipeline.models.DwellDays``. The models live in their
sub-domain's package (``pipeline/<sub>/models.py``; see docs/ARCHITECTURE.md); code
inside pipeline imports them from there. No star imports."""

from pipeline.accounts.models import (
    Account,
    AccountSize,
    Contact,
    Industry,
)
from pipeline.followups.models import (
    FollowUp,
    FollowUpKind,
)
from pipeline.leads.models import (
    Lead,
    LeadKind,
    LeadSource,
    LeadStatus,
)
from pipeline.opportunities.models import (
    Currency,
    DwellDays,
    LostReason,
    Opportunity,
    RequestLink,
    Stage,
    StageChange,
)
from pipeline.rollups.models import (
    FunnelEntryDay,
    FunnelOpenDay,
    FunnelStayDay,
)

__all__ = [
    "Account",
    "AccountSize",
    "Contact",
    "Currency",
    "DwellDays",
    "FollowUp",
    "FollowUpKind",
    "FunnelEntryDay",
    "FunnelOpenDay",
    "FunnelStayDay",
    "Industry",
    "Lead",
    "LeadKind",
    "LeadSource",
    "LeadStatus",
    "LostReason",
    "Opportunity",
    "RequestLink",
    "Stage",
    "StageChange",
]
