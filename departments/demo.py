"""Demo data for the departments room: the people of each demo organization."""

from django.contrib.auth import get_user_model

from collab.tenancy import organization_scope

from .models import Department, Organization
from .roles import Role
from .services import membership_set

DEMO_PASSWORD = "collab-demo"

# username, role, department code, display name
DEMO_PEOPLE = {
    "demo": [
        ("rep", Role.SALES_REP, "business", "王销售"),
        ("rep2", Role.SALES_REP, "business", "李业务"),
        ("head-rnd", Role.DEPT_HEAD, "rnd", "张研发"),
        ("dev-rnd", Role.DEPT_MEMBER, "rnd", "赵工程师"),
        ("head-mkt", Role.DEPT_HEAD, "marketing", "陈市场"),
        ("head-cs", Role.DEPT_HEAD, "customer_success", "刘客服"),
        ("head-ops", Role.DEPT_HEAD, "sales_ops", "孙运营"),
        ("head-pm", Role.DEPT_HEAD, "product", "周产品"),
        ("head-fin", Role.DEPT_HEAD, "finance", "吴财务"),
        ("head-hr", Role.DEPT_HEAD, "hr", "郑人事"),
        ("ops", Role.OPS_MANAGER, "ops_mgmt", "钱经理"),
        ("admin", Role.ORG_ADMIN, None, "管理员"),
    ],
    "other": [
        ("other-rep", Role.SALES_REP, "business", "Olivia Rep"),
        ("other-head", Role.DEPT_HEAD, "rnd", "Oscar Head"),
        ("other-ops", Role.OPS_MANAGER, "ops_mgmt", "Otto Ops"),
        ("other-admin", Role.ORG_ADMIN, None, "Ora Admin"),
        # The heads the capabilities need in both organizations (quotes, budgets,
        # the library, sprints): every capability's demo runs in Other Co too.
        ("other-rep2", Role.SALES_REP, "business", "Ray Rep"),
        ("other-mkt", Role.DEPT_HEAD, "marketing", "Mia Marketing"),
        ("other-pm", Role.DEPT_HEAD, "product", "Paul Product"),
        ("other-fin", Role.DEPT_HEAD, "finance", "Fiona Finance"),
        ("other-hr", Role.DEPT_HEAD, "hr", "Hana HR"),
    ],
}


def load(*, organization: Organization, key: str) -> None:
    User = get_user_model()
    with organization_scope(organization.id):
        departments = {d.code: d for d in Department.objects.all()}
        for username, role, dept_code, display in DEMO_PEOPLE[key]:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@{organization.slug}.example",
                    "first_name": display,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            membership_set(
                organization=organization,
                user=user,
                role=role,
                department=departments.get(dept_code) if dept_code else None,
            )
