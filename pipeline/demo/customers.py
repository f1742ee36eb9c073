"""Demo data for the customer side: accounts, a year of deals moving through
the stages (backdated, through the real services), follow-ups and leads.

The demo funnel has a visible bottleneck: in the last 90 days deals wait
longer in 方案/演示 (solution/demo) and fewer of them move on — R&D's
technical answers were slow — so the funnel page points at that stage.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Organization
from pipeline.accounts import services as accounts_services
from pipeline.accounts.models import Account
from pipeline.followups import services as followups_services
from pipeline.leads import services as leads_services
from pipeline.opportunities import services as opportunities_services
from pipeline.opportunities.models import LostReason, Stage

# The customers the demo requests name (华东电力, 星河集团, 蓝海零售) are accounts
# here, so searching for them finds them (requests_sla.demo.requests.CUSTOMERS).
ACCOUNTS = {
    "demo": [
        ("华信精密制造有限公司", "manufacturing", "large", True),
        ("远景智能装备股份有限公司", "manufacturing", "enterprise", True),
        ("东方汽车零部件有限公司", "manufacturing", "large", False),
        ("恒力机械设备有限公司", "manufacturing", "medium", False),
        ("苏州新材料科技有限公司", "manufacturing", "medium", False),
        ("蓝海零售连锁有限公司", "retail", "large", True),
        ("优品生活百货有限公司", "retail", "medium", False),
        ("悦享电商科技有限公司", "retail", "medium", False),
        ("快客便利店有限公司", "retail", "small", False),
        ("招远城市商业银行", "finance", "enterprise", True),
        ("安泰人寿保险股份有限公司", "finance", "large", True),
        ("鼎信证券有限公司", "finance", "large", False),
        ("融通小额贷款有限公司", "finance", "small", False),
        ("仁和医疗集团", "healthcare", "enterprise", True),
        ("康宁医药连锁有限公司", "healthcare", "large", False),
        ("博济生物科技有限公司", "healthcare", "medium", False),
        ("启明教育科技有限公司", "education", "medium", False),
        ("育才职业技术学院", "education", "large", False),
        ("云帆软件有限公司", "technology", "medium", False),
        ("星河集团有限公司", "technology", "large", True),
        ("飞鸟网络科技有限公司", "technology", "small", False),
        ("极光云计算有限公司", "technology", "medium", False),
        ("顺达物流股份有限公司", "logistics", "enterprise", True),
        ("中通冷链运输有限公司", "logistics", "large", False),
        ("海港国际货运代理有限公司", "logistics", "medium", False),
        ("华东电力集团有限公司", "energy", "enterprise", True),
        ("绿源光伏科技有限公司", "energy", "medium", False),
        ("滨江区政务服务中心", "government", "large", False),
        ("市公共交通集团有限公司", "government", "enterprise", False),
        ("青禾农业发展有限公司", "other", "small", False),
    ],
    "other": [
        ("Northwind Traders", "retail", "medium", True),
        ("Contoso Manufacturing", "manufacturing", "large", False),
        ("Fabrikam Health", "healthcare", "medium", False),
        ("Tailspin Logistics", "logistics", "small", False),
    ],
}
REPS = {"demo": ["rep", "rep2"], "other": ["other-rep"]}
CUSTOMER_SUCCESS = {"demo": "head-cs", "other": "other-admin"}
DEALS = {"demo": 150, "other": 8}
PRODUCTS = {
    "demo": [
        "ERP 升级",
        "数据中台",
        "报表平台",
        "移动审批",
        "集团多级权限",
        "年度维保",
        "私有化部署",
    ],
    "other": ["ERP upgrade", "Reporting suite", "Support renewal"],
}
COMMENTS = {
    "demo": [
        "响应很及时，问题当天解决",
        "希望报表导出更快",
        "实施顾问很专业",
        "培训不够充分",
        "系统偶尔卡顿，希望优化",
        "对新版本很满意",
        "",
    ],
    "other": ["Quick and helpful", "Would like faster exports", ""],
}


def load(*, organization: Organization, key: str) -> None:
    User = get_user_model()
    with organization_scope(organization.id):
        if Account.objects.exists():
            return  # idempotent: the demo customers are loaded once
        rng = random.Random(f"pipeline-{key}")
        now = timezone.now()
        reps = list(User.objects.filter(username__in=REPS[key]).order_by("username"))
        if not reps:
            return
        cs_user = User.objects.filter(username=CUSTOMER_SUCCESS[key]).first() or reps[0]
        stages = {s.code: s for s in Stage.objects.all()}
        accounts = []
        for i, (name, industry, size, key_account) in enumerate(ACCOUNTS[key]):
            owner = reps[i % len(reps)]
            account = accounts_services.account_create(
                actor=owner,
                name=name,
                industry=industry,
                size=size,
                owner=owner,
                is_key_account=key_account,
                created_at=now - dt.timedelta(days=400),
            )
            accounts_services.contact_add(
                account=account,
                actor=owner,
                name=rng.choice(["张伟", "李娜", "王芳", "刘洋", "陈静"])
                if key == "demo"
                else "Alex Kim",
                title="信息部经理" if key == "demo" else "IT Manager",
                phone=f"138{rng.randrange(10**7, 10**8)}",
            )
            accounts.append(account)

        for n in range(DEALS[key]):
            _deal(rng, now, accounts[n % len(accounts)], stages, n, key)

        for account in accounts:
            for _ in range(rng.randrange(1, 4)):
                when = now - dt.timedelta(days=rng.randrange(1, 330))
                follow_up = followups_services.followup_create(
                    actor=cs_user,
                    account=account,
                    kind=rng.choice(["visit", "call", "survey"]),
                    scheduled_for=when,
                    done_at=when + dt.timedelta(hours=2),
                    csat=rng.choice([3, 4, 4, 5, 5, 2]),
                    comment=rng.choice(COMMENTS[key]),
                )
            if rng.random() < 0.5:
                lead = leads_services.lead_create(
                    actor=cs_user,
                    account=account,
                    source="follow_up",
                    follow_up=follow_up,
                    kind=rng.choice(["repeat", "upsell", "renewal", "referral"]),
                    estimated_amount=Decimal(rng.randrange(5, 60) * 10_000),
                    description="客户计划扩大使用范围" if key == "demo" else "Wants more seats",
                    created_at=follow_up.done_at,
                )
                _decide_lead(rng, lead, account.owner, stages, now)


def _deal(rng, now, account, stages, n, key):
    owner = account.owner
    created = now - dt.timedelta(days=rng.uniform(5, 365))
    opportunity = opportunities_services.opportunity_create(
        actor=owner,
        account=account,
        name=f"{rng.choice(PRODUCTS[key])} #{n + 1}",
        owner=owner,
        amount=Decimal(rng.randrange(8, 300) * 10_000),
        expected_close_date=(created + dt.timedelta(days=rng.randrange(45, 150))).date(),
        next_step=rng.choice(["安排技术交流", "发送报价", "约见决策人", ""])
        if key == "demo"
        else "",
        at=created,
    )
    _walk(rng, now, opportunity, stages, created)


def _walk(rng, now, opportunity, stages, when):
    order = ["lead", "qualified", "solution", "proposal", "negotiation", "won"]
    forward = {
        "lead": 0.75,
        "qualified": 0.7,
        "solution": 0.7,
        "proposal": 0.65,
        "negotiation": 0.7,
    }
    position = 0
    while position < len(order) - 1:
        code = order[position]
        recent = when > now - dt.timedelta(days=90)
        # The bottleneck: R&D's slow answers keep deals in solution/demo.
        if code == "solution" and recent:
            wait, p = rng.uniform(14, 40), 0.45
        else:
            wait, p = rng.uniform(3, 14), forward[code]
        when = when + dt.timedelta(days=wait)
        if when >= now:
            return
        r = rng.random()
        if r < p:
            step = 2 if rng.random() < 0.08 and position < len(order) - 2 else 1
            position += step
            opportunities_services.opportunity_move(
                opportunity=opportunity,
                stage=stages[order[position]],
                actor=opportunity.owner,
                at=when,
            )
        elif r < p + 0.08 and position > 0:
            position -= 1  # back a step (a new decision maker, a re-quote)
            opportunities_services.opportunity_move(
                opportunity=opportunity,
                stage=stages[order[position]],
                actor=opportunity.owner,
                at=when,
            )
        else:
            reason = rng.choice(LostReason.values)
            if code == "solution" and recent:
                reason = LostReason.COLLABORATION_DELAY
            opportunities_services.opportunity_move(
                opportunity=opportunity,
                stage=stages["lost"],
                actor=opportunity.owner,
                at=when,
                lost_reason=reason,
                lost_note="技术答复太慢" if reason == "other" else "",
            )
            return


def _decide_lead(rng, lead, owner, stages, now):
    r = rng.random()
    when = lead.created_at + dt.timedelta(days=2)
    if when >= now or r < 0.2:
        return  # still new: shows up in "new leads for you"
    if r < 0.35:
        leads_services.lead_reject(lead=lead, actor=owner, reason="客户预算已冻结", at=when)
    elif r < 0.5:
        leads_services.lead_accept(lead=lead, actor=owner, at=when)
    else:
        lead = leads_services.lead_convert(lead=lead, actor=owner, at=when)
        _walk(rng, now, lead.opportunity, stages, when)
