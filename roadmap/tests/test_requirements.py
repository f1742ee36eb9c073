import pytest
from django.core.exceptions import PermissionDenied

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from requests_sla.requests.models import Request
from requests_sla.sla.models import SlaTimer
from roadmap.models import Backer, Requirement, State

pytestmark = pytest.mark.django_db


def test_submit_records_three_parts_backer_and_starts_the_assessment_clock(submit, deal, org):
    requirement = submit(opportunity_ids=[deal.pk])
    with organization_scope(org.id):
        requirement.refresh_from_db()
        assert requirement.state == State.SUBMITTED
        assert requirement.pain_point == "报表无法按子公司分级授权"
        backer = Backer.objects.get(requirement=requirement)
        assert (backer.account_id, backer.opportunity_id) == (deal.account_id, deal.pk)
        request = Request.objects.get(pk=requirement.assessment_request_id)
        assert request.request_type.code == "rnd_feasibility"
        assert request.serving_department.code == "rnd"
        keys = set(SlaTimer.objects.filter(request=request).values_list("key", flat=True))
        assert "feasibility" in keys
        assert requirement.history.count() >= 1


@pytest.mark.parametrize("missing", ["title", "background", "pain_point", "expected_outcome"])
def test_submit_without_a_part_is_a_field_error_and_writes_nothing(submit, deal, org, missing):
    with pytest.raises(ServiceError) as exc:
        submit(opportunity_ids=[deal.pk], **{missing: "  "})
    assert exc.value.field == missing
    with organization_scope(org.id):
        assert not Requirement.objects.exists()
        assert not Request.objects.exists()


def test_submit_with_a_deal_of_another_organization_is_refused(
    submit, make_account, make_deal, outsider_membership, org
):
    foreign = make_deal(make_account(outsider_membership, name="外企"))
    with pytest.raises(ServiceError) as exc:
        submit(opportunity_ids=[foreign.pk])
    assert exc.value.field == "opportunity_ids"
    with organization_scope(org.id):
        assert not Requirement.objects.exists()


def test_submit_needs_a_backer(submit):
    with pytest.raises(ServiceError) as exc:
        submit()
    assert exc.value.field == "account_ids"


def test_rnd_member_cannot_submit(submit, head_rnd, account):
    with pytest.raises(PermissionDenied):
        submit(head_rnd, account_ids=[account.pk])


def test_backing_adds_another_customer_once(submit, deal, make_account, rep, org):
    from roadmap.services.requirements import requirement_back

    requirement = submit(opportunity_ids=[deal.pk])
    other = make_account(rep, name="远航物流")
    with organization_scope(org.id):
        assert requirement_back(actor=rep, requirement=requirement, account_ids=[other.pk]) == 1
        assert requirement_back(actor=rep, requirement=requirement, account_ids=[other.pk]) == 0
        assert requirement_back(actor=rep, requirement=requirement, opportunity_ids=[deal.pk]) == 0
        assert Backer.objects.filter(requirement=requirement).count() == 2


def test_product_management_assesses_and_answers_the_feasibility_request(
    submit, assess, deal, pm, cs, head_rnd, org
):
    from requests_sla.requests import permissions as request_permissions
    from requests_sla.requests.models import Status
    from requests_sla.requests.selectors import requests_visible_to
    from requests_sla.sla.models import StopReason
    from roadmap.services.assessments import assessment_start

    requirement = submit(opportunity_ids=[deal.pk])
    with organization_scope(org.id):
        assessment_start(actor=pm, requirement=requirement)
        request = Request.objects.get(pk=requirement.assessment_request_id)
        assert request.status == Status.ACKNOWLEDGED
        assess(requirement, actor=pm)
        request.refresh_from_db()
        assert request.status == Status.RESOLVED and request.assignee_id == pm.user_id
        milestone = SlaTimer.objects.get(request=request, key="feasibility")
        assert milestone.stop_reason == StopReason.COMPLETED
        assert request.serving_department.code == "rnd"  # still R&D's request
        assert requests_visible_to(pm).filter(pk=request.pk).exists()
        # Queue management stays with R&D; other departments do not serve it.
        assert not request_permissions.can(pm, "reject", request)
        assert request_permissions.can(head_rnd, "reject", request)
        assert not request_permissions.can(cs, "resolve", request)
        assert not requests_visible_to(cs).filter(pk=request.pk).exists()
