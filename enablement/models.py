"""Every model of enablement, re-exported (Django finds them here)."""

from enablement.campaigns.models import (
    Campaign,
    CampaignAsset,
    CampaignKind,
    CampaignResponse,
    CampaignTarget,
    ResponseKind,
)
from enablement.library.models import (
    Asset,
    AssetFile,
    AssetKind,
    AssetStatus,
    AssetVersion,
    CustomerSize,
)
from enablement.training.models import (
    Course,
    CourseAsset,
    CourseQuestion,
    CourseSession,
    Enrolment,
)
from enablement.usage.models import AssetFulfilment, AssetUse

__all__ = [
    "Asset",
    "AssetFile",
    "AssetFulfilment",
    "AssetKind",
    "AssetStatus",
    "AssetUse",
    "AssetVersion",
    "Campaign",
    "CampaignAsset",
    "CampaignKind",
    "CampaignResponse",
    "CampaignTarget",
    "Course",
    "CourseAsset",
    "CourseQuestion",
    "CourseSession",
    "CustomerSize",
    "Enrolment",
    "ResponseKind",
]
