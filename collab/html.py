"""The one escape of markup built in Python (queue rows, SLA badges, the
dashboard's charts and tables).

Where rendering cost made an app build HTML in Python instead of a template,
every interpolated value goes through ``escape`` here, and the module marks
the whole fragment safe once. It escapes exactly what Django's
``django.utils.html.escape`` (the templates' autoescape) escapes, the same
way, so the markup is byte for byte what a template wrote; it returns a plain
``str`` rather than a lazy-wrapped ``SafeString`` per call, because a chart
or a queue page interpolates thousands of values.
"""

from __future__ import annotations

from html import escape as _html_escape


def escape(text) -> str:
    """``&``, ``<``, ``>``, ``"`` and ``'`` escaped, as the templates do."""
    return _html_escape(str(text))
