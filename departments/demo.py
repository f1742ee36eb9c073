"""Demo data for the departments room: the people of each demo organization."""

from django.contrib.auth import get_user_model

from collab.tenancy import organization_scope

from .models import Department, Invitation, Organization
from .roles import Role
from .services import invitation_create, membership_set

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
    if key == "other":
        # Both organizations exist by now (the demo loads "demo" first).
        _demo_invitations()


# Each demo organization has invited the other's head of HR, who has not
# answered yet: their header shows the notice, the admins see it pending.
DEMO_INVITATIONS = [
    # inviting organization, its admin, invitee, role, department
    ("demo", "admin", "other-hr", Role.DEPT_MEMBER, "hr"),
    ("other", "other-admin", "head-hr", Role.DEPT_MEMBER, "hr"),
]


def _demo_invitations() -> None:
    User = get_user_model()
    for slug, admin, invitee, role, dept_code in DEMO_INVITATIONS:
        organization = Organization.objects.filter(slug=slug).first()
        users = {u.username: u for u in User.objects.filter(username__in=[admin, invitee])}
        if organization is None or len(users) < 2:
            continue
        with organization_scope(organization.id):
            if Invitation.objects.filter(invitee=users[invitee]).exists():
                continue  # loaded before: keep whatever was answered
            invitation_create(
                organization=organization,
                user=users[invitee],
                email=users[invitee].email,
                role=role,
                department=Department.objects.filter(code=dept_code).first(),
                actor=users[admin],
            )
