"""Demo requests: a realistic spread of states, made through the services.

Every request is filed and worked with backdated ``at=`` times, so the SLA
event log and the cached timers agree: a request filed two days ago that no
one answered is genuinely breached now. Idempotent: an organization that
already has requests is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from collab.tenancy import organization_scope
from departments.models import Membership, Organization
from requests_sla.catalog.models import RequestType
from requests_sla.requests import services as request_services
from requests_sla.requests.models import Request

H = 1  # hours, for readability below

# Who works each department's requests in the demo organizations.
WORKERS = {
    "demo": {
        "rnd": ("head-rnd", "dev-rnd"),
        "marketing": ("head-mkt", "head-mkt"),
        "customer_success": ("head-cs", "head-cs"),
        "sales_ops": ("head-ops", "head-ops"),
        "product": ("head-pm", "head-pm"),
        "finance": ("head-fin", "head-fin"),
        "hr": ("head-hr", "head-hr"),
    },
    "other": {"rnd": ("other-head", "other-head")},
}

EXTRAS = {
    "rnd_tech_support": {
        "customer_name": "华东电力集团有限公司",
        "product_version": "v3.2",
        "urgency": "客户周五投标，需要确认接口参数",
    },
    "rnd_feasibility": {
        "customer_name": "星河集团有限公司",
        "background": "集团型客户，下属 30 家子公司",
        "pain_point": "报表无法按子公司做多级权限",
        "expected_outcome": "集团总部看全部，子公司只看自己的数据",
        "deal_size": "1200000",
    },
    "mkt_industry_report": {"industry": "金融", "focus": "数据安全与合规"},
    "mkt_campaign_support": {"campaign_kind": "webinar", "audience": "城商行信息科技部"},
    "mkt_talk_track": {
        "scenario": "客户关心数据安全，如何回应“公有云不安全”的顾虑",
        "industry": "医疗",
    },
    "ops_crm_report": {
        "report_kind": "funnel",
        "period": "本季度",
        "details": "华南区商机在方案阶段停留过久，想看转化率",
    },
    "pm_pricing_quote": {
        "customer_name": "蓝海零售连锁有限公司",
        "products": "标准版 200 套 + 实施服务",
        "target_price": "380000",
    },
    "pm_bundle_comparison": {"bundle": "季度促销套餐 A", "compare_with": "去年同期套餐"},
    "pm_training": {"topic": "季度促销套餐讲解", "attendees": 25, "format": "online"},
    "cs_field_service": {
        "customer_name": "顺达物流股份有限公司",
        "service_kind": "repair",
        "site_address": "上海市浦东新区",
    },
    "cs_key_account_complaint": {
        "customer_name": "华东电力集团有限公司",
        "contact": "李主任",
        "complaint": "系统升级后报表导出失败",
    },
    "fin_expense_approval": {
        "amount": "8600.00",
        "expense_kind": "travel",
        "expense_date": "2025-06-10",
        "purpose": "拜访西北区三家重点客户",
    },
    "fin_sprint_budget": {
        "amount": "200000",
        "sprint": "本季度冲刺",
        "target": "新签合同额 3000 万",
    },
    "fin_collections_risk": {
        "customer_name": "蓝海零售连锁有限公司",
        "outstanding": "450000",
        "concern": "已逾期 60 天",
    },
    "hr_hiring": {"position": "大客户销售经理", "headcount": 2},
    "hr_incentive": {
        "incentive_kind": "sales_star",
        "nominee": "华东区团队",
        "reason": "季度冲刺超额完成 130%",
    },
}

# (type code, priority, title, requester, filed hours ago, script)
# script: (hours after filing, action, arguments); "worker" acts unless noted.
DEMO_REQUESTS: list[tuple] = [
    ("rnd_tech_support", "urgent", "投标前确认 API 接口参数", "rep", 30 * H, []),
    ("rnd_tech_support", "normal", "客户询问私有化部署的硬件要求", "rep2", 20 * H, []),
    (
        "rnd_tech_support",
        "normal",
        "单点登录对接 LDAP 的可行性",
        "rep",
        50 * H,
        [(2, "start", {}), (6, "resolve", {"resolution": "已提供对接文档和示例配置"})],
    ),
    ("rnd_tech_support", "high", "演示环境报错 502", "rep2", 5 * H, [(1, "ack", {})]),
    (
        "rnd_tech_support",
        "normal",
        "导出 Excel 乱码问题",
        "rep",
        72 * H,
        [(3, "start", {}), (5, "pause", {"reason": "请提供客户的系统版本和报错截图"})],
    ),
    (
        "rnd_tech_support",
        "low",
        "客户询问数据备份策略",
        "rep2",
        100 * H,
        [
            (10, "start", {}),
            (30, "resolve", {"resolution": "已答复：每日增量、每周全量"}),
            (40, "close", {"by": "requester"}),
        ],
    ),
    ("rnd_tech_support", "normal", "移动端是否支持离线填报", "rep", 2 * H, []),
    (
        "rnd_feasibility",
        "normal",
        "集团报表多级权限的定制评估",
        "rep",
        120 * H,
        [(4, "start", {}), (30, "milestone", {"key": "feasibility"})],
    ),
    ("rnd_feasibility", "high", "与客户 ERP 双向同步的定制开发", "rep2", 60 * H, [(5, "ack", {})]),
    (
        "rnd_feasibility",
        "normal",
        "按客户行业定制审批流",
        "rep",
        200 * H,
        [
            (8, "start", {}),
            (20, "pause", {"reason": "需要客户提供现有审批流程图"}),
            (70, "comment", {"by": "requester", "body": "流程图已上传，请查收"}),
        ],
    ),
    ("mkt_industry_report", "normal", "金融行业数据安全洞察报告", "rep", 150 * H, []),
    ("mkt_industry_report", "high", "竞品 X 最新定价与功能对比", "rep2", 26 * H, [(2, "ack", {})]),
    (
        "mkt_campaign_support",
        "normal",
        "面向城商行的数据安全线上研讨会",
        "rep",
        90 * H,
        [(20, "start", {})],
    ),
    (
        "mkt_campaign_support",
        "low",
        "华南区客户沙龙物料",
        "rep2",
        240 * H,
        [(30, "start", {}), (100, "resolve", {"resolution": "物料已上传共享盘"})],
    ),
    ("mkt_talk_track", "normal", "医疗行业“数据安全”话术工具包", "rep", 40 * H, []),
    ("mkt_talk_track", "urgent", "应对竞品低价策略的话术", "rep2", 10 * H, [(1, "start", {})]),
    ("ops_crm_report", "normal", "华南区销售漏斗转化分析", "rep", 30 * H, [(1, "start", {})]),
    (
        "ops_crm_report",
        "high",
        "修正重复的客户记录",
        "rep2",
        80 * H,
        [(2, "start", {}), (10, "resolve", {"resolution": "已合并 37 条重复记录"})],
    ),
    ("ops_crm_report", "low", "导出本季度跟进记录", "rep", 3 * H, []),
    ("pm_pricing_quote", "high", "蓝海零售 200 套特价申请", "rep", 28 * H, [(1, "ack", {})]),
    (
        "pm_pricing_quote",
        "normal",
        "政府客户报价单核对",
        "rep2",
        50 * H,
        [(3, "start", {}), (9, "resolve", {"resolution": "报价单已核对，折扣在授权范围内"})],
    ),
    ("pm_bundle_comparison", "normal", "季度促销套餐 A 对比表", "rep", 70 * H, [(6, "start", {})]),
    (
        "pm_training",
        "normal",
        "季度促销套餐销售培训",
        "rep2",
        110 * H,
        [(12, "start", {}), (40, "pause", {"reason": "请确认参训名单和时间"})],
    ),
    ("pm_training", "low", "新版本功能培训", "rep", 15 * H, []),
    ("cs_field_service", "urgent", "顺达物流仓库扫码枪故障", "rep", 30 * H, [(1, "start", {})]),
    (
        "cs_field_service",
        "normal",
        "新客户系统安装调试",
        "rep2",
        60 * H,
        [
            (2, "start", {}),
            (20, "resolve", {"resolution": "安装调试完成，客户已签字"}),
            (22, "close", {"by": "requester"}),
        ],
    ),
    (
        "cs_key_account_complaint",
        "high",
        "华东电力报表导出失败投诉",
        "rep",
        30 * H,
        [(0.5, "start", {})],
    ),
    (
        "cs_key_account_complaint",
        "normal",
        "重点客户反映系统变慢",
        "rep2",
        20 * H,
        [(1, "start", {}), (10, "resolve", {"resolution": "已扩容数据库，响应恢复正常"})],
    ),
    ("cs_key_account_complaint", "urgent", "客户核心业务中断", "rep", 3 * H, [(0.2, "start", {})]),
    (
        "fin_expense_approval",
        "normal",
        "西北区客户拜访差旅费",
        "rep",
        40 * H,
        [(2, "start", {}), (6, "resolve", {"resolution": "已批准"})],
    ),
    ("fin_expense_approval", "high", "城商行研讨会场地费", "rep2", 30 * H, []),
    (
        "fin_expense_approval",
        "normal",
        "重复提交的差旅报销",
        "rep",
        20 * H,
        [(1, "cancel", {"by": "requester", "reason": "重复提交，已在另一单处理"})],
    ),
    (
        "fin_sprint_budget",
        "normal",
        "第四季度冲刺预算预留",
        "rep",
        90 * H,
        [(10, "start", {}), (30, "pause", {"reason": "请补充各区域的目标拆分"})],
    ),
    ("fin_collections_risk", "high", "蓝海零售回款逾期核查", "rep2", 45 * H, [(3, "start", {})]),
    ("fin_collections_risk", "normal", "新客户信用核查", "rep", 8 * H, []),
    ("hr_hiring", "normal", "华东区招聘两名大客户销售", "rep", 160 * H, [(20, "start", {})]),
    (
        "hr_incentive",
        "normal",
        "季度“销售之星”评选",
        "rep2",
        70 * H,
        [(5, "start", {}), (40, "resolve", {"resolution": "评选方案已发布"})],
    ),
    (
        "hr_incentive",
        "low",
        "调整新人提成比例",
        "rep",
        50 * H,
        [(4, "reject", {"by": "head", "reason": "提成比例由年度方案统一调整，本季度不单独变更"})],
    ),
    (
        "mkt_industry_report",
        "normal",
        "制造业数字化趋势报告",
        "rep2",
        300 * H,
        [
            (10, "start", {}),
            (50, "resolve", {"resolution": "报告已发布"}),
            (60, "reopen", {"by": "requester", "reason": "缺少汽车零部件细分行业数据"}),
        ],
    ),
    (
        "rnd_tech_support",
        "normal",
        "对接第三方电子签章",
        "rep2",
        36 * H,
        [
            (
                1,
                "transfer",
                {
                    "by": "head",
                    "to": "product",
                    "type": "pm_pricing_quote",
                    "reason": "实际是报价问题，转产品管理部",
                },
            )
        ],
    ),
]

OTHER_REQUESTS: list[tuple] = [
    ("rnd_tech_support", "normal", "Customer asks about SSO", "other-rep", 30 * H, []),
    ("rnd_tech_support", "high", "Demo environment down", "other-rep", 6 * H, [(1, "start", {})]),
    (
        "rnd_feasibility",
        "normal",
        "Custom approval workflow",
        "other-rep",
        80 * H,
        [(4, "start", {})],
    ),
]


def load(*, organization: Organization, key: str) -> None:
    plan = DEMO_REQUESTS if key == "demo" else OTHER_REQUESTS
    with organization_scope(organization.id):
        if Request.objects.exists():
            return
        members = {
            m.user.username: m
            for m in Membership.objects.filter(is_active=True).select_related(
                "user", "department", "organization"
            )
        }
        types = {t.code: t for t in RequestType.objects.select_related("serving_department")}
        now = timezone.now()
        for code, priority, title, requester, age, script in plan:
            request_type = types.get(code)
            if request_type is None or requester not in members:
                continue
            filed_at = now - dt.timedelta(hours=age)
            request = request_services.request_file(
                actor=members[requester],
                request_type=request_type,
                priority=priority,
                title=title,
                extra=_extra(code, organization),
                at=filed_at,
            )
            _play(request, script, filed_at, members, types, key, requester)


def _extra(code: str, organization: Organization) -> dict:
    extra = dict(EXTRAS.get(code, {}))
    if organization.default_language == "en" and "customer_name" in extra:
        extra["customer_name"] = "Northwind Traders"
    return extra


# A script's action → the requests service that plays it (``transfer`` is
# played apart: it names a request type).
SCRIPT_ACTIONS = {
    "ack": "request_acknowledge",
    "start": "request_start",
    "pause": "request_pause",
    "resolve": "request_resolve",
    "close": "request_close",
    "reopen": "request_reopen",
    "cancel": "request_cancel",
    "reject": "request_reject",
    "milestone": "request_milestone_complete",
    "comment": "comment_add",
}


def _play(request, script, filed_at, members, types, key, requester) -> None:
    for hours, action, arguments in script:
        arguments = dict(arguments)
        at = filed_at + dt.timedelta(hours=hours)
        department = request.serving_department.code
        head, worker = WORKERS[key].get(department, (None, None))
        who = arguments.pop("by", "worker")
        username = {"worker": worker, "head": head, "requester": requester}[who]
        actor = members.get(username)
        if actor is None:
            return
        if action == "transfer":
            target_type = types[arguments["type"]]
            request_services.request_transfer(
                request=request,
                actor=actor,
                serving_department=target_type.serving_department,
                request_type=target_type,
                reason=arguments.get("reason", ""),
                at=at,
            )
        elif action in SCRIPT_ACTIONS:
            service = getattr(request_services, SCRIPT_ACTIONS[action])
            service(request=request, actor=actor, at=at, **arguments)
        request.refresh_from_db()
