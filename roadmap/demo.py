"""Demo data of requirement review, in both demo organizations, dated relative
to today and made through the services: requirements in every state, a past
board with minutes, a prototype mid-validation, a shipped release with a deal
won after it shipped, and the next board's agenda."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from pipeline.opportunities import services as opportunities_services
from pipeline.opportunities.models import Opportunity, Stage
from roadmap.models import Requirement, ReviewBoard
from roadmap.services import assessments, boards, prototypes, releases, requirements

PEOPLE = {
    "demo": {"rep": "rep", "rep2": "rep2", "rnd": "head-rnd", "ops": "ops", "pm": "head-pm"},
    "other": {
        "rep": "other-rep",
        "rep2": "other-rep2",
        "rnd": "other-head",
        "ops": "other-ops",
        "pm": "other-pm",
    },
}
# title, background, pain point, expected outcome (per organization's language)
TEXTS = {
    "demo": {
        "rbac": (
            "集团客户报表多级权限",
            "集团型客户，下属 30 多家子公司，统一使用我们的报表平台",
            "子公司之间的数据互相可见，无法按子公司、区域分级授权",
            "总部看全部，子公司只看自己的数据，区域经理看本区域",
        ),
        "audit": (
            "数据安全审计日志",
            "金融与医疗客户对数据安全要求高，等保测评需要操作留痕",
            "谁在什么时候导出了什么数据无法追溯，等保测评被扣分",
            "所有查询与导出留痕，可按人、时间检索，并能导出审计报告",
        ),
        "erp": (
            "与客户 ERP 双向实时同步",
            "制造业客户使用自建 ERP，订单数据量大",
            "订单要在两个系统里手工重复录入，经常出错",
            "订单与库存在两个系统之间实时双向同步",
        ),
        "mobile": (
            "移动端离线填报",
            "物流客户的司机在信号差的路段作业",
            "没有网络时无法提交签收单，回到网点再补录",
            "离线时先保存，恢复网络后自动上传",
        ),
        "sso": (
            "企业微信单点登录",
            "客户全员使用企业微信办公",
            "员工要记两套账号密码，离职后账号回收不及时",
            "用企业微信账号直接登录，离职自动停用",
        ),
        "export": (
            "报表导出为 PDF 并加水印",
            "政务客户需要把报表作为正式材料报送",
            "导出的 Excel 容易被修改，且无法标明来源",
            "一键导出带水印的 PDF",
        ),
        "sla": (
            "大屏实时刷新",
            "零售连锁客户在总部大屏展示门店数据",
            "大屏数据每小时刷新一次，活动期间不够及时",
            "关键指标每分钟刷新",
        ),
        "api": (
            "开放 API 速率提升",
            "科技公司客户用 API 批量拉取数据",
            "API 每分钟 60 次的限制导致夜间同步跑不完",
            "按客户套餐提供更高的速率上限",
        ),
    },
    "other": {
        "rbac": (
            "Multi-level report permissions",
            "A group customer with twelve subsidiaries on our reporting platform",
            "Subsidiaries can see each other's data; no per-subsidiary access",
            "Head office sees everything, each subsidiary only its own data",
        ),
        "audit": (
            "Data security audit log",
            "Healthcare customers must pass a security audit",
            "Nobody can tell who exported which data, and when",
            "Every query and export logged, searchable, exportable as a report",
        ),
        "erp": (
            "Two-way ERP sync",
            "A manufacturer runs its own ERP",
            "Orders are typed twice, with mistakes",
            "Orders and stock synchronised both ways in real time",
        ),
        "sso": (
            "Single sign-on with the customer's directory",
            "The customer's staff all sign in through their directory",
            "Two passwords per person; leavers keep access too long",
            "Sign in with the directory account; leavers disabled automatically",
        ),
        "api": (
            "Higher API rate limits",
            "A software customer pulls data in bulk through the API",
            "60 calls a minute is too few: the nightly sync does not finish",
            "Rate limits by plan, with a higher ceiling for large customers",
        ),
        "export": (
            "Watermarked PDF export",
            "A public-sector customer files reports as official documents",
            "Exported spreadsheets are easy to alter",
            "One-click PDF export with a watermark",
        ),
    },
}
TZ = ZoneInfo("Asia/Shanghai")


def _ago(now: dt.datetime, days: float) -> dt.datetime:
    return now - dt.timedelta(days=days)


class _Demo:
    """One organization's demo, step by step (the steps share people and deals)."""

    def __init__(self, organization: Organization, key: str, now: dt.datetime) -> None:
        self.key, self.now = key, now
        members = {
            m.user.username: m
            for m in Membership.objects.select_related("user", "department", "organization").filter(
                user__username__in=PEOPLE[key].values()
            )
        }
        self.people = {role: members.get(name) for role, name in PEOPLE[key].items()}
        self.texts = TEXTS[key]
        self.deals = list(
            Opportunity.objects.filter(
                owner__username__in=[PEOPLE[key]["rep"], PEOPLE[key]["rep2"]],
                stage__is_won=False,
                stage__is_lost=False,
            ).order_by("id")
        )

    def ensure_deals(self, count: int = 6) -> None:
        """A small organization has few open deals: open a few more on its customers."""
        from pipeline.accounts.models import Account

        accounts = list(
            Account.objects.filter(owner__username=PEOPLE[self.key]["rep"]).order_by("id")
        )
        for n in range(max(0, count - len(self.deals))):
            if not accounts:
                return
            account = accounts[n % len(accounts)]
            self.deals.append(
                opportunities_services.opportunity_create(
                    actor=account.owner,
                    account=account,
                    name=f"Platform expansion {n + 1}"
                    if self.key == "other"
                    else f"扩容项目 {n + 1}",
                    owner=account.owner,
                    amount=Decimal(60000 + 15000 * n),
                    expected_close_date=(self.now + dt.timedelta(days=45 + 10 * n)).date(),
                    at=_ago(self.now, 60),
                )
            )

    @property
    def ready_to_run(self) -> bool:
        return all(self.people.values()) and len(self.deals) >= 4

    def submit(self, code: str, days_ago: float, deals: list[Opportunity]) -> Requirement:
        """Filed by the rep who owns the first deal, backed by their deals among ``deals``."""
        title, background, pain, outcome = self.texts[code]
        actor = next(
            m for m in (self.people["rep"], self.people["rep2"]) if m.user_id == deals[0].owner_id
        )
        return requirements.requirement_submit(
            actor=actor,
            title=title,
            background=background,
            pain_point=pain,
            expected_outcome=outcome,
            opportunity_ids=[d.pk for d in deals if d.owner_id == actor.user_id],
            impact=3 if code in ("rbac", "audit") else 2,
            at=_ago(self.now, days_ago),
        )

    def assess(
        self,
        requirement: Requirement,
        days_ago: float,
        low: str,
        high: str,
        by: str = "rnd",
        **kw: Any,
    ) -> Requirement:
        """Assessed by R&D's head, or by Product Management's (``by="pm"``)."""
        return assessments.assessment_record(
            actor=self.people[by],
            requirement=requirement,
            cost_low_days=low,
            cost_high_days=high,
            at=_ago(self.now, days_ago),
            **{"feasibility": "feasible", **kw},
        )


def _past_board(demo: _Demo, organization: Organization) -> tuple[ReviewBoard, dt.datetime]:
    when = (
        (demo.now - dt.timedelta(days=16))
        .astimezone(TZ)
        .replace(hour=15, minute=0, second=0, microsecond=0)
    )
    board, _created = ReviewBoard.objects.get_or_create(
        organization=organization, slot=when.date(), defaults={"starts_at": when}
    )
    return board, when


def _assessed(demo: _Demo) -> dict[str, Requirement]:
    """The requirements the past board saw, assessed by R&D."""
    d = demo.deals
    made = {
        "rbac": demo.submit("rbac", 40, [d[0], d[1]]),
        "audit": demo.submit("audit", 38, [d[2]]),
        "erp": demo.submit("erp", 36, [d[3]]),
    }
    demo.assess(
        made["rbac"], 33, "10", "15", resources="后端 2 人，前端 1 人", risks="旧报表权限模型需迁移"
    )
    demo.assess(
        made["audit"],
        31,
        "15",
        "25",
        by="pm",  # Product answers R&D's feasibility request too
        needs_prototype=True,
        feasibility="conditional",
        feasibility_reason="需要先确认日志存储方案",
    )
    demo.assess(
        made["erp"],
        30,
        "60",
        "90",
        feasibility="not_feasible",
        feasibility_reason="客户 ERP 无开放接口",
    )
    if "sso" in demo.texts and len(d) > 4:
        made["sso"] = demo.submit("sso", 34, [d[4]])
        demo.assess(made["sso"], 29, "5", "8")
    return made


def _first_round(demo: _Demo, organization: Organization) -> dict[str, Requirement]:
    """The past board's decisions and minutes, the shipped release, the prototype."""
    made = _assessed(demo)
    board, when = _past_board(demo, organization)
    boards.agenda_refresh(board)
    ops = demo.people["ops"]
    release = releases.release_create(
        actor=demo.people["rnd"],
        version="v3.2",
        planned_on=(demo.now - dt.timedelta(days=5)).date(),
    )
    decide: Callable[..., Any] = boards.board_decide
    decide(
        actor=ops,
        board=board,
        requirement=made["rbac"],
        decision="accept",
        priority=1,
        release=release,
        at=when,
    )
    decide(
        actor=ops, board=board, requirement=made["audit"], decision="prototype", priority=2, at=when
    )
    decide(
        actor=ops,
        board=board,
        requirement=made["erp"],
        decision="decline",
        at=when,
        note="客户 ERP 没有开放接口，建议改用文件导入方案"
        if demo.key == "demo"
        else "The customer's ERP has no API; a file import is suggested instead",
    )
    if "sso" in made:
        decide(
            actor=ops,
            board=board,
            requirement=made["sso"],
            decision="defer",
            at=when,
            revisit_on=(demo.now + dt.timedelta(days=30)).date(),
        )
    boards.board_minutes_save(
        actor=ops,
        board=board,
        at=when + dt.timedelta(hours=1),
        minutes="多级权限纳入 v3.2；审计日志先做原型；ERP 同步不予采纳。"
        if demo.key == "demo"
        else "Multi-level permissions into v3.2; audit log needs a prototype; ERP sync declined.",
    )
    releases.requirement_develop(
        actor=demo.people["rnd"],
        requirement=made["rbac"],
        release=release,
        at=when + dt.timedelta(days=1),
    )
    releases.release_ship(actor=demo.people["rnd"], release=release, at=_ago(demo.now, 7))
    _won_after_ship(demo, demo.deals[0])
    _validation(demo, made["audit"])
    return made


def _won_after_ship(demo: _Demo, deal: Opportunity) -> None:
    """A deal behind the shipped requirement, won after the release: revenue influenced."""
    opportunities_services.opportunity_move(
        opportunity=deal,
        stage=Stage.objects.get(is_won=True),
        actor=deal.owner,
        at=_ago(demo.now, 2),
    )


def _validation(demo: _Demo, requirement: Requirement) -> None:
    """The prototype mid-validation: two customers, one verdict in."""
    customers = sorted({(d.account_id, None) for d in demo.deals[2:6]})[:2]
    prototype = prototypes.prototype_start(
        actor=demo.people["rnd"],
        requirement=requirement,
        link="https://prototype.example.com/audit-log",
        window_start=(demo.now - dt.timedelta(days=10)).date(),
        window_end=(demo.now + dt.timedelta(days=7)).date(),
        customers=customers,
        at=_ago(demo.now, 10),
    )
    owner = demo.people["rep"]
    prototypes.verdict_record(
        actor=owner,
        prototype=prototype,
        account_id=customers[0][0],
        verdict="partly",
        notes="希望能按部门筛选日志"
        if demo.key == "demo"
        else "Wants to filter the log by department",
        at=_ago(demo.now, 4),
    )


def _second_round(demo: _Demo) -> None:
    """What is waiting now: the next board's agenda, R&D's queue, a planned release."""
    d = demo.deals
    ready = demo.submit("export", 12, [d[1]])
    demo.assess(ready, 9, "3", "5")
    if "mobile" in demo.texts:
        demo.assess(demo.submit("mobile", 8, [d[2], d[3]]), 5, "8", "12")
        assessments.assessment_start(
            actor=demo.people["rnd"],
            requirement=demo.submit("sla", 6, [d[0]]),
            at=_ago(demo.now, 5),
        )
    demo.submit("api", 1, [d[-1]])
    releases.release_create(
        actor=demo.people["rnd"],
        version="v3.3",
        planned_on=(demo.now + dt.timedelta(days=30)).date(),
    )


def load(*, organization: Organization, key: str) -> None:
    with organization_scope(organization.id):
        if Requirement.objects.exists():
            return  # idempotent: loaded once
        demo = _Demo(organization, key, timezone.now())
        if all(demo.people.values()):
            demo.ensure_deals()
        if not demo.ready_to_run:
            return
        _first_round(demo, organization)
        _second_round(demo)
        boards.boards_schedule(organization_id=organization.id)
