"""The words of enablement's notifications, rendered in the reader's language
(registered with requests_sla's ``notification_text_register``)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

ASSET_VERSION = "asset_version"
ASSET_READY = "asset_ready"


def asset_version_text(params: Mapping) -> str:
    return _("你用过的资料《%(title)s》发布了第 %(version)s 版：%(note)s") % {
        "title": params["title"],
        "version": params["version"],
        "note": params.get("note", ""),
    }


def asset_ready_text(params: Mapping) -> str:
    return _("%(ref)s 已交付资料《%(title)s》（第 %(version)s 版）") % {
        "ref": params["ref"],
        "title": params["title"],
        "version": params["version"],
    }
