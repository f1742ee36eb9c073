"""The starter catalog every new organization gets (DOMAIN.md §1–3).

Provisioning copies it (``catalog.services.catalog_provision``), idempotently by
``code``; admins edit their copy afterwards. Targets follow the article's
examples: marketing collateral gets feedback within 3 working days, R&D's
technical-support green channel responds within 24 hours, a key-account
complaint is resolved within 24 hours.
"""

from __future__ import annotations

ALL_PRIORITIES = ["low", "normal", "high", "urgent"]


def _t(unit: str, amount: int | float) -> dict:
    return {"unit": unit, "amount": amount}


def ch(amount: int | float) -> dict:
    return _t("calendar_hours", amount)


def wh(amount: int | float) -> dict:
    return _t("working_hours", amount)


def wd(amount: int) -> dict:
    return _t("working_days", amount)


def _policy(response: dict, resolution: dict, milestones: list | None = None) -> dict:
    policy = {"response": response, "resolution": resolution}
    if milestones:
        policy["milestones"] = milestones
    return policy


def _by_priority(**policies: dict) -> dict:
    return dict(policies)


def f(key: str, zh: str, en: str, type_: str = "text", *, required: bool = False, **extra) -> dict:
    field = {"key": key, "label_zh": zh, "label_en": en, "type": type_, "required": required}
    field.update(extra)
    return field


def opt(value: str, zh: str, en: str) -> dict:
    return {"value": value, "label_zh": zh, "label_en": en}


# Answered by the request's customer/deal link when there is one (filled, hidden).
CUSTOMER = f("customer_name", "客户名称", "Customer name", required=True, from_link="customer")
INDUSTRY = f("industry", "所属行业", "Industry")
ATTACHMENT = f("attachment", "附件", "Attachment", "file")
DEADLINE = f("needed_by", "期望完成日期", "Needed by", "date")
ACCOUNT = f("account", "关联客户编号", "Linked account ID", "account")
OPPORTUNITY = f("opportunity", "关联商机编号", "Linked opportunity ID", "opportunity")

# Marketing: "feedback within 3 working days".
_MARKETING_SLA = _by_priority(
    low=_policy(wd(3), wd(15)),
    normal=_policy(wd(3), wd(10)),
    high=_policy(wd(2), wd(5)),
    urgent=_policy(wd(1), wd(3)),
)

REQUEST_TYPES: list[dict] = [
    # ------------------------------------------------------------ Marketing
    {
        "department": "marketing",
        "code": "mkt_industry_report",
        "name_zh": "行业/竞品报告",
        "name_en": "Industry or competitor report",
        "description_zh": "针对某一行业或竞争对手的洞察报告，帮助销售理解客户关注点。",
        "description_en": "An insight report on an industry or a competitor, so sales understand what customers care about.",
        "sla_targets": _MARKETING_SLA,
        "form_schema": [
            f("industry", "所属行业", "Industry", required=True),
            f("competitors", "关注的竞争对手", "Competitors of interest"),
            f(
                "focus",
                "客户关注点",
                "What customers care about",
                "long_text",
                required=True,
                help_zh="例如：数据安全、部署方式、价格",
                help_en="For example: data security, deployment model, price",
            ),
            DEADLINE,
        ],
    },
    {
        "department": "marketing",
        "code": "mkt_campaign_support",
        "name_zh": "市场活动支持",
        "name_en": "Campaign support",
        "description_zh": "行业解决方案页、线上研讨会、客户沙龙等活动的策划与物料支持。",
        "description_en": "Planning and collateral for industry solution pages, webinars and customer events.",
        "sla_targets": _MARKETING_SLA,
        "form_schema": [
            f(
                "campaign_kind",
                "活动形式",
                "Campaign format",
                "choice",
                required=True,
                choices=[
                    opt("webinar", "线上研讨会", "Webinar"),
                    opt("landing_page", "行业解决方案页", "Industry solution page"),
                    opt("event", "线下活动/沙龙", "Event or salon"),
                ],
            ),
            f("audience", "目标客户群", "Target audience", required=True),
            f("goal", "预期效果", "Expected outcome", "long_text"),
            f("event_date", "活动日期", "Event date", "date"),
            f("budget", "预计预算（元）", "Estimated budget (CNY)", "money"),
        ],
    },
    {
        "department": "marketing",
        "code": "mkt_talk_track",
        "name_zh": "话术工具包",
        "name_en": "Talk-track toolkit",
        "description_zh": "针对特定场景定制的销售话术、异议处理与案例集。",
        "description_en": "A tailored set of talking points, objection handling and case studies for one scenario.",
        "sla_targets": _MARKETING_SLA,
        "form_schema": [
            f("scenario", "使用场景", "Scenario", "long_text", required=True),
            INDUSTRY,
            f("objections", "常见客户异议", "Common customer objections", "long_text"),
            OPPORTUNITY,
        ],
    },
    # ------------------------------------------------------------ R&D
    {
        "department": "rnd",
        "code": "rnd_tech_support",
        "name_zh": "技术支持（绿色通道）",
        "name_en": "Technical support (green channel)",
        "description_zh": "客户提出的技术问题、参数确认与方案答疑，24 小时内响应，不让慢回复丢单。",
        "description_en": "Technical questions, specifications and solution queries from customers, answered within 24 hours so no deal is lost to a slow reply.",
        "sla_targets": _by_priority(
            low=_policy(ch(48), wd(10)),
            normal=_policy(ch(24), wd(5)),
            high=_policy(ch(8), wd(3)),
            urgent=_policy(ch(4), wd(1)),
        ),
        "form_schema": [
            CUSTOMER,
            f("product_version", "产品版本", "Product version"),
            f(
                "urgency",
                "紧急程度说明",
                "Why it is urgent",
                "long_text",
                help_zh="客户的时间节点、影响范围",
                help_en="The customer's deadline and what is affected",
            ),
            ATTACHMENT,
            OPPORTUNITY,
        ],
    },
    {
        "department": "rnd",
        "code": "rnd_feasibility",
        "name_zh": "可行性/定制开发评估",
        "name_en": "Feasibility or custom-development assessment",
        "description_zh": "评估客户定制需求的技术可行性、开发成本与资源，复杂需求先做原型验证。",
        "description_en": "Assess the technical feasibility, cost and resources of a customer's custom requirement; complex ones get a prototype first.",
        "sla_targets": _by_priority(
            **{
                priority: _policy(
                    wd(response),
                    wd(resolution),
                    [
                        {
                            "key": "feasibility",
                            "name_zh": "可行性答复",
                            "name_en": "Feasibility answer",
                            **wd(feasibility),
                        }
                    ],
                )
                for priority, response, feasibility, resolution in (
                    ("low", 3, 10, 20),
                    ("normal", 2, 5, 15),
                    ("high", 1, 3, 10),
                    ("urgent", 1, 2, 5),
                )
            }
        ),
        "form_schema": [
            CUSTOMER,
            f("background", "客户背景", "Customer background", "long_text", required=True),
            f("pain_point", "痛点场景", "Pain-point scenario", "long_text", required=True),
            f("expected_outcome", "预期效果", "Expected outcome", "long_text", required=True),
            f("deal_size", "预计合同金额（元）", "Expected deal size (CNY)", "money"),
            ATTACHMENT,
            OPPORTUNITY,
        ],
    },
    # ------------------------------------------------------------ Sales Ops
    {
        "department": "sales_ops",
        "code": "ops_crm_report",
        "name_zh": "CRM 数据/销售漏斗报告",
        "name_en": "CRM data or sales-funnel report",
        "description_zh": "CRM 数据整理、销售漏斗分析与跟进策略建议。",
        "description_en": "CRM data clean-up, sales-funnel analysis and follow-up strategy advice.",
        "sla_targets": _by_priority(
            low=_policy(wd(2), wd(10)),
            normal=_policy(wd(1), wd(5)),
            high=_policy(wh(4), wd(3)),
            urgent=_policy(wh(2), wd(1)),
        ),
        "form_schema": [
            f(
                "report_kind",
                "需求类型",
                "What you need",
                "choice",
                required=True,
                choices=[
                    opt("funnel", "销售漏斗报告", "Sales-funnel report"),
                    opt("data_fix", "CRM 数据修正", "CRM data correction"),
                    opt("export", "数据导出", "Data export"),
                ],
            ),
            f("period", "统计周期", "Period"),
            f("details", "具体说明", "Details", "long_text", required=True),
        ],
    },
    # ------------------------------------------------------------ Product Management
    {
        "department": "product",
        "code": "pm_pricing_quote",
        "name_zh": "定价/报价支持",
        "name_en": "Pricing or quote support",
        "description_zh": "特殊报价、折扣政策解读与报价单核对。",
        "description_en": "Special quotes, discount-policy questions and quote reviews.",
        "sla_targets": _by_priority(
            low=_policy(wd(2), wd(5)),
            normal=_policy(wh(8), wd(3)),
            high=_policy(wh(4), wd(2)),
            urgent=_policy(wh(2), wd(1)),
        ),
        "form_schema": [
            CUSTOMER,
            f("products", "产品及数量", "Products and quantities", "long_text", required=True),
            f("target_price", "客户期望价格（元）", "Customer's target price (CNY)", "money"),
            f("quote_due", "报价截止日期", "Quote due date", "date"),
            OPPORTUNITY,
        ],
    },
    {
        "department": "product",
        "code": "pm_bundle_comparison",
        "name_zh": "促销方案对比表",
        "name_en": "Promotion-bundle comparison sheet",
        "description_zh": "季度促销套餐的对比表与卖点说明，便于向客户讲解。",
        "description_en": "A comparison sheet and selling points for a quarterly promotion bundle, ready to walk a customer through.",
        "sla_targets": _by_priority(
            low=_policy(wd(3), wd(10)),
            normal=_policy(wd(2), wd(5)),
            high=_policy(wd(1), wd(3)),
            urgent=_policy(wh(4), wd(2)),
        ),
        "form_schema": [
            f("bundle", "促销套餐", "Promotion bundle", required=True),
            f(
                "compare_with",
                "对比对象",
                "Compare with",
                help_zh="竞品或旧套餐",
                help_en="A competitor or the previous bundle",
            ),
            f("needed_by", "期望完成日期", "Needed by", "date"),
        ],
    },
    {
        "department": "product",
        "code": "pm_training",
        "name_zh": "产品培训",
        "name_en": "Product training",
        "description_zh": "新产品、新政策或促销套餐的销售培训（可与销售运营部联合）。",
        "description_en": "Sales training on a new product, policy or promotion bundle (possibly together with Sales Operations).",
        "sla_targets": _by_priority(
            low=_policy(wd(3), wd(15)),
            normal=_policy(wd(2), wd(10)),
            high=_policy(wd(1), wd(5)),
            urgent=_policy(wd(1), wd(3)),
        ),
        "form_schema": [
            f("topic", "培训主题", "Topic", required=True),
            f("attendees", "参训人数", "Number of attendees", "number", required=True),
            f("preferred_date", "期望日期", "Preferred date", "date"),
            f(
                "format",
                "形式",
                "Format",
                "choice",
                choices=[opt("onsite", "线下", "On site"), opt("online", "线上", "Online")],
            ),
        ],
    },
    # ------------------------------------------------------------ After-sales / Customer Success
    {
        "department": "customer_success",
        "code": "cs_field_service",
        "name_zh": "安装/调试/维修",
        "name_en": "Installation, commissioning or repair",
        "description_zh": "客户现场的安装、调试与故障维修。",
        "description_en": "On-site installation, commissioning and repair for a customer.",
        "sla_targets": _by_priority(
            low=_policy(wd(1), wd(10)),
            normal=_policy(wh(4), wd(5)),
            high=_policy(ch(4), wd(2)),
            urgent=_policy(ch(2), ch(24)),
        ),
        "form_schema": [
            CUSTOMER,
            f(
                "service_kind",
                "服务类型",
                "Service",
                "choice",
                required=True,
                choices=[
                    opt("install", "安装", "Installation"),
                    opt("commission", "调试", "Commissioning"),
                    opt("repair", "维修", "Repair"),
                ],
            ),
            f("site_address", "现场地址", "Site address", required=True),
            f("problem", "问题描述", "Problem description", "long_text"),
            f("visit_date", "期望上门日期", "Preferred visit date", "date"),
            ATTACHMENT,
            ACCOUNT,
        ],
    },
    {
        "department": "customer_success",
        "code": "cs_key_account_complaint",
        "name_zh": "重点客户投诉",
        "name_en": "Key-account complaint",
        "description_zh": "重点客户的系统问题投诉，24 小时内解决，并由客户成功部跟进满意度。",
        "description_en": "A key account's complaint about a system problem: resolved within 24 hours, then Customer Success follows up on satisfaction.",
        "sla_targets": _by_priority(
            **{
                priority: _policy(ch(response), ch(24))
                for priority, response in (("low", 4), ("normal", 2), ("high", 1), ("urgent", 1))
            }
        ),
        "form_schema": [
            CUSTOMER,
            f("contact", "客户联系人", "Customer contact", required=True),
            # The request's description: the form does not ask for both.
            f(
                "complaint",
                "投诉内容",
                "Complaint",
                "long_text",
                required=True,
                as_description=True,
            ),
            f("impact", "影响范围", "Impact", "long_text"),
            ATTACHMENT,
            ACCOUNT,
        ],
    },
    # ------------------------------------------------------------ Finance
    {
        "department": "finance",
        "code": "fin_expense_approval",
        "name_zh": "差旅/活动费用审批",
        "name_en": "Travel or campaign expense approval",
        "description_zh": "差旅费与市场活动费用的快速审批。",
        "description_en": "Fast approval of travel and campaign expenses.",
        "sla_targets": _by_priority(
            low=_policy(wd(2), wd(5)),
            normal=_policy(wd(1), wd(3)),
            high=_policy(wh(4), wd(2)),
            urgent=_policy(wh(2), wd(1)),
        ),
        "form_schema": [
            f("amount", "金额（元）", "Amount (CNY)", "money", required=True),
            f(
                "expense_kind",
                "费用类别",
                "Expense type",
                "choice",
                required=True,
                choices=[opt("travel", "差旅", "Travel"), opt("campaign", "市场活动", "Campaign")],
            ),
            f("expense_date", "发生日期", "Date", "date", required=True),
            f("purpose", "事由", "Purpose", "long_text", required=True),
            f("receipts", "票据", "Receipts", "file"),
        ],
    },
    {
        "department": "finance",
        "code": "fin_sprint_budget",
        "name_zh": "冲刺预算预留",
        "name_en": "Sprint budget reservation",
        "description_zh": "季度冲刺前提前预留销售激励与活动预算。",
        "description_en": "Reserve the incentive and campaign budget ahead of a quarterly sprint.",
        "sla_targets": _by_priority(
            low=_policy(wd(3), wd(10)),
            normal=_policy(wd(2), wd(5)),
            high=_policy(wd(1), wd(3)),
            urgent=_policy(wh(4), wd(2)),
        ),
        "form_schema": [
            f("amount", "预留金额（元）", "Amount to reserve (CNY)", "money", required=True),
            f(
                "sprint",
                "冲刺周期",
                "Sprint period",
                required=True,
                help_zh="例如：2025 年第四季度",
                help_en="For example: Q4 2025",
            ),
            f("target", "冲刺目标", "Sprint target", "long_text", required=True),
        ],
    },
    {
        "department": "finance",
        "code": "fin_collections_risk",
        "name_zh": "回款风险核查",
        "name_en": "Collections risk check",
        "description_zh": "核查客户的回款记录与信用风险，给出风险预警。",
        "description_en": "Check a customer's payment history and credit risk, and flag any risk.",
        "sla_targets": _by_priority(
            low=_policy(wd(2), wd(5)),
            normal=_policy(wd(1), wd(3)),
            high=_policy(wh(4), wd(2)),
            urgent=_policy(wh(2), wd(1)),
        ),
        "form_schema": [
            CUSTOMER,
            f("outstanding", "未回款金额（元）", "Outstanding amount (CNY)", "money"),
            f("concern", "关注点", "What worries you", "long_text"),
            ACCOUNT,
        ],
    },
    # ------------------------------------------------------------ HR
    {
        "department": "hr",
        "code": "hr_hiring",
        "name_zh": "招聘需求",
        "name_en": "Hiring request",
        "description_zh": "为业务团队招聘新成员。",
        "description_en": "Hire new people for the business team.",
        "sla_targets": _by_priority(
            low=_policy(wd(3), wd(30)),
            normal=_policy(wd(2), wd(20)),
            high=_policy(wd(1), wd(15)),
            urgent=_policy(wd(1), wd(10)),
        ),
        "form_schema": [
            f("position", "岗位", "Position", required=True),
            f("headcount", "人数", "Headcount", "number", required=True),
            f("requirements", "任职要求", "Requirements", "long_text"),
            f("start_by", "期望到岗日期", "Start by", "date"),
        ],
    },
    {
        "department": "hr",
        "code": "hr_incentive",
        "name_zh": "激励/评奖申请",
        "name_en": "Incentive or award request",
        "description_zh": "提成方案、“销售之星”评选等激励申请。",
        "description_en": "Commission schemes, 'sales star' awards and other incentives.",
        "sla_targets": _by_priority(
            low=_policy(wd(3), wd(15)),
            normal=_policy(wd(2), wd(10)),
            high=_policy(wd(1), wd(5)),
            urgent=_policy(wd(1), wd(3)),
        ),
        "form_schema": [
            f(
                "incentive_kind",
                "激励类型",
                "Incentive type",
                "choice",
                required=True,
                choices=[
                    opt("commission", "提成方案", "Commission scheme"),
                    opt("sales_star", "销售之星评选", "Sales-star award"),
                    opt("other", "其他", "Other"),
                ],
            ),
            f("nominee", "提名人/适用团队", "Nominee or team"),
            f("reason", "理由", "Reason", "long_text", required=True),
            f("amount", "金额（元）", "Amount (CNY)", "money"),
        ],
    },
]
