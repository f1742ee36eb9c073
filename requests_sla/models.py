"""Every model of requests_sla, re-exported: Django registers the app's models
from here, and other apps import them from here (``from requests_sla.models import
Request``). The models live in their sub-domain's package (``requests_sla/<sub>/models.py``;
see docs/ARCHITECTURE.md); code inside requests_sla imports them from there, never
from this module. No star imports: the list below is the app's model surface."""

from requests_sla.catalog.models import (
    Priority,
    RequestType,
)
from requests_sla.meetings.models import (
    ActionItem,
    AgendaItem,
    MeetingParticipant,
    MeetingStatus,
    PostMortem,
    PostMortemCause,
    PostMortemFinding,
    PostMortemRequest,
    PostMortemTrigger,
    ReviewMeeting,
    RootCause,
)
from requests_sla.notifications.models import (
    DeliveryState,
    Notification,
    NotificationDelivery,
    NotificationKind,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFormat,
)
from requests_sla.reporting.models import (
    RequestDay,
    SlaOutcomeDay,
    SlaStoppedMonth,
)
from requests_sla.requests.models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Attachment,
    Comment,
    Request,
    RequestCounter,
    Status,
    attachment_path,
)
from requests_sla.sla.models import (
    BusinessCalendar,
    CalendarException,
    EscalationLevel,
    EscalationPolicy,
    EscalationStep,
    ExceptionKind,
    SlaEvent,
    SlaEventKind,
    SlaOutcome,
    SlaState,
    SlaTimer,
    StopReason,
    TimerKind,
)

__all__ = [
    "ActionItem",
    "AgendaItem",
    "Attachment",
    "BusinessCalendar",
    "CalendarException",
    "Comment",
    "DeliveryState",
    "EscalationLevel",
    "EscalationPolicy",
    "EscalationStep",
    "ExceptionKind",
    "FINAL_STATUSES",
    "MeetingParticipant",
    "MeetingStatus",
    "Notification",
    "NotificationDelivery",
    "NotificationKind",
    "OPEN_STATUSES",
    "PostMortem",
    "PostMortemCause",
    "PostMortemFinding",
    "PostMortemRequest",
    "PostMortemTrigger",
    "Priority",
    "Request",
    "RequestCounter",
    "RequestDay",
    "RequestType",
    "ReviewMeeting",
    "RootCause",
    "SlaEvent",
    "SlaEventKind",
    "SlaOutcome",
    "SlaOutcomeDay",
    "SlaState",
    "SlaStoppedMonth",
    "SlaTimer",
    "Status",
    "StopReason",
    "TimerKind",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookFormat",
    "attachment_path",
]
