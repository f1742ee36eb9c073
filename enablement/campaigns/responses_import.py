"""The CSV import of a campaign's responses: every line is checked, and one
bad line refuses the whole file (the errors name the lines); a good file is
saved in one transaction.

UTF-8 (with or without a BOM), UTF-16 with a BOM, or GB18030 (Excel on
Chinese Windows): ``collab.parsing.decode_text`` reads it, as it reads the
bank import's files; ``csv_columns`` finds the columns of both.
Columns are found by their header, Chinese or English: type 类型
(报名/参加/下载 or registration/attendance/download), date 日期
(YYYY-MM-DD), name 姓名, email 邮箱 (optional), company 公司 (optional; a
known account's exact name links the response to it).
"""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from collab.errors import ServiceError
from collab.parsing import clean_text, csv_columns, decode_text, parse_date
from departments.models import Membership
from enablement.campaigns import services
from enablement.campaigns.models import Campaign, CampaignResponse, ResponseKind

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_LISTED_ERRORS = 20
COLUMNS = {
    "kind": ("类型", "type", "kind"),
    "date": ("日期", "date"),
    "name": ("姓名", "name"),
    "email": ("邮箱", "email"),
    "company": ("公司", "company"),
}
REQUIRED = ("kind", "date", "name")
KINDS = {
    "报名": ResponseKind.REGISTRATION,
    "参加": ResponseKind.ATTENDANCE,
    "出席": ResponseKind.ATTENDANCE,
    "下载": ResponseKind.DOWNLOAD,
    **{value: value for value in ResponseKind.values},
}


class ImportRejected(ServiceError):
    """The file was refused; ``errors`` are the messages, line by line."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors), field="file")
        self.errors = errors


def _cell(cells: list[str], cols: dict[str, int], key: str) -> str:
    index = cols.get(key)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _fields(cells: list[str], cols: dict[str, int]) -> services.ResponseFields:
    kind = KINDS.get(_cell(cells, cols, "kind").lower())
    if kind is None:
        raise ValueError(_("类型应为 报名、参加 或 下载"))
    try:
        day = parse_date(_cell(cells, cols, "date"))
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None
    name = clean_text(_cell(cells, cols, "name"))
    if not name:
        raise ValueError(_("缺少姓名"))
    if len(name) > 100:
        raise ValueError(_("姓名过长"))
    email = _cell(cells, cols, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValueError(_("邮箱格式不正确")) from None
    company = clean_text(_cell(cells, cols, "company"))
    if len(company) > 200:
        raise ValueError(_("公司名称过长"))
    return services.ResponseFields(kind, day, name, email, company)


def _lines(data: bytes) -> tuple[list[list[str]], dict[str, int]]:
    """The file's CSV lines and where its columns are."""
    if len(data) > MAX_BYTES:
        raise ImportRejected([_("文件过大。")])
    try:
        text, _encoding = decode_text(data)
    except ValidationError as exc:
        raise ImportRejected(exc.messages) from None
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ImportRejected([_("CSV 格式不正确：%(e)s") % {"e": exc}]) from None
    if not lines:
        raise ImportRejected([_("文件是空的。")])
    try:
        return lines, csv_columns(lines[0], COLUMNS, REQUIRED)
    except ValidationError as exc:
        raise ImportRejected([_("第 %(n)s 行：%(e)s") % {"n": 1, "e": exc.messages[0]}]) from None


def parse(data: bytes) -> list[services.ResponseFields]:
    """Every row of the file, or ``ImportRejected`` naming the bad lines."""
    lines, cols = _lines(data)
    rows, errors = [], []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        try:
            rows.append(_fields(cells, cols))
        except ValueError as exc:
            errors.append(_("第 %(n)s 行：%(e)s") % {"n": number, "e": exc})
    if len(rows) > MAX_ROWS:
        errors.append(_("一次最多导入 %(n)s 行。") % {"n": MAX_ROWS})
    if not rows and not errors:
        errors.append(_("文件中没有数据行。"))
    if errors:
        extra = len(errors) - MAX_LISTED_ERRORS
        listed = errors[:MAX_LISTED_ERRORS]
        if extra > 0:
            listed.append(_("……另有 %(n)s 处错误。") % {"n": extra})
        raise ImportRejected(listed)
    return rows


def responses_import(
    *, actor: Membership, campaign: Campaign, data: bytes
) -> list[CampaignResponse]:
    """All the file's responses, or none (``ImportRejected``)."""
    services.require_manager(actor)
    rows = parse(data)
    with transaction.atomic():
        accounts = services.accounts_by_name([row.company for row in rows])
        made = [services.response_build(actor, campaign, row, accounts) for row in rows]
        return CampaignResponse.objects.bulk_create(made)
