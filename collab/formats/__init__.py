"""One date and one date-time format per language (FORMAT_MODULE_PATH).

Every template writes dates with ``|date:"DATE_FORMAT"`` / ``"SHORT_DATE_FORMAT"``
and date-times with ``"DATETIME_FORMAT"`` / ``"SHORT_DATETIME_FORMAT"``; the
short and long names give the same text, so a page never shows two styles:
2026年11月27日 14:30 in Chinese, 27 Nov 2026, 14:30 in English.
"""
