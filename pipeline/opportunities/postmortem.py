"""Lost-deal post-mortem (issue 6): when is one due, and what goes on it.

``opportunity_move`` calls ``postmortem_if_due`` when a deal is lost, inside
its transaction. A post-mortem is due when the rep gives "collaboration
delay" as the reason, or when a request filed for the deal
(a ``RequestLink`` to it) has a breached SLA timer. The review meeting,
the agenda item and who takes part belong to requests_sla
(``requests_sla.services.postmortems.postmortem_open``); this module only
decides and hands over the deal and its late requests.

A loss recorded more than ``BACKDATED_LIMIT`` in the past (an import, the
demo's history) is history, not a meeting item: no post-mortem is opened.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation

from pipeline.opportunities.models import LostReason, Opportunity, RequestLink
from requests_sla.meetings.postmortems import postmortem_open
from requests_sla.meetings.selectors import late_request_ids, postmortem_for_source
from requests_sla.models import PostMortem

BACKDATED_LIMIT = dt.timedelta(days=7)


def source_ref(opportunity_id: int) -> str:
    return f"pipeline.opportunity:{opportunity_id}"


def postmortem_if_due(
    *, opportunity: Opportunity, actor, at: dt.datetime | None = None
) -> PostMortem | None:
    """Open (once) the post-mortem of a lost deal if one is due; None if not."""
    if not opportunity.stage.is_lost:
        return None
    if at is not None and at < timezone.now() - BACKDATED_LIMIT:
        return None
    stated = opportunity.lost_reason == LostReason.COLLABORATION_DELAY
    late_ids = late_request_ids(
        RequestLink.objects.filter(opportunity=opportunity).values("request_id")
    )
    if not stated and not late_ids:
        return None
    reason = LostReason(opportunity.lost_reason) if opportunity.lost_reason else None
    labels = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels[language] = str(reason.label) if reason else ""
    account = opportunity.account
    postmortem, _created = postmortem_open(
        organization=opportunity.organization_id,
        actor=actor,
        source_ref=source_ref(opportunity.pk),
        subject_label=f"{account.name} · {opportunity.name}",
        subject_url=opportunity.get_absolute_url(),
        subject_amount=opportunity.amount,
        subject_currency=opportunity.currency,
        reason_zh=labels["zh-hans"],
        reason_en=labels["en"],
        reason_note=opportunity.lost_note,
        stated_delay=stated,
        late_request_ids=late_ids,
    )
    return postmortem


def postmortem_of(opportunity: Opportunity) -> PostMortem | None:
    """The deal's post-mortem with its meeting, if one was opened (scope active)."""
    return postmortem_for_source(source_ref(opportunity.pk))
