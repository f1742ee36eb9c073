"""The apps above requests_sla send notifications of their own kinds; each must
be a NotificationKind, or the inbox shows the raw value on its chip."""

import pytest
from django.utils import translation

from enablement.usage import notices
from finance.risk.services import NOTIFICATION_KIND as PAYMENT_RISK
from pricing.quotes.requote import NOTICE_KIND as PRICE_CHANGE
from requests_sla.notifications.models import Notification, NotificationKind

APP_KINDS = [PAYMENT_RISK, notices.ASSET_READY, notices.ASSET_VERSION, PRICE_CHANGE]


@pytest.mark.parametrize("kind", APP_KINDS)
def test_every_kind_an_app_sends_is_a_choice_with_a_word_in_both_languages(kind):
    assert kind in NotificationKind.values
    assert len(kind) <= Notification._meta.get_field("kind").max_length
    label = NotificationKind(kind).label
    with translation.override("zh-hans"):
        chinese = str(label)
    with translation.override("en"):
        english = str(label)
    assert chinese != kind and english != kind
    assert chinese != english  # translated, not the Chinese source shown to English readers
