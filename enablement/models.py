"""Every model of enablement, re-exported (Django finds them here)."""

from enablement.library.models import (
    Asset,
    AssetFile,
    AssetKind,
    AssetStatus,
    AssetVersion,
    CustomerSize,
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
    "CustomerSize",
]
