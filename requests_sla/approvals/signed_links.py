"""Signed, expiring links to approve a step from its notification email.

The token (``django.core.signing``, salted) binds the step, its approver and
the organization, and expires after ``COLLAB_APPROVAL_LINK_MAX_AGE`` seconds
(3 days by default). It is not a bearer token: the page wants the approver
signed in, and opening it only shows the step (GET writes nothing, so a mail
scanner that fetches links approves nothing); the approval is a POST through
``services.step_act``. A replay finds the step decided and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

# LinkExpired and LinkInvalid are this module's too (its views catch them here).
from collab.signed_links import LinkExpired as LinkExpired
from collab.signed_links import LinkInvalid as LinkInvalid
from collab.signed_links import SignedLink, site_url
from requests_sla.approvals.models import ApprovalStep, StepState

SALT = "collab.approvals.step-link"
DEFAULT_MAX_AGE = 3 * 24 * 3600
LINK = SignedLink(
    salt=SALT, max_age_setting="COLLAB_APPROVAL_LINK_MAX_AGE", default_max_age=DEFAULT_MAX_AGE
)


@dataclass(frozen=True)
class StepClaim:
    step_id: int
    user_id: int
    organization_id: int


def max_age() -> int:
    return LINK.max_age()


def step_token(step: ApprovalStep) -> str:
    return LINK.dump(s=step.pk, u=step.approver_id, o=step.organization_id)


def step_signed_path(step: ApprovalStep) -> str:
    return reverse("requests_sla:approval_link", args=[step_token(step)])


def claim_read(token: str) -> StepClaim:
    return StepClaim(*LINK.load(token, "s", "u", "o"))


def approval_email_lines(notification) -> list[str]:
    """For an approval notification: the signed link of the recipient's
    pending step on that request (none once it is decided)."""
    if notification.kind != "approval" or not notification.request_id:
        return []
    step = (
        ApprovalStep.unscoped.filter(
            organization_id=notification.organization_id,
            request_id=notification.request_id,
            approver_id=notification.recipient_id,
            state=StepState.PENDING,
        )
        .order_by("-pk")
        .first()
    )
    if step is None:
        return []
    days = LINK.valid_days()
    return [
        _("审批链接（%(days)s 天内有效，需本人登录）：") % {"days": days},
        site_url(step_signed_path(step)),
    ]
