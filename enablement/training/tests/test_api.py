"""The training API: the tenancy trio, who manages, a rep's own enrolments,
bad input."""

import pytest

from enablement.models import Enrolment

pytestmark = pytest.mark.django_db
BODY = {
    "title_zh": "新定价培训",
    "pass_mark": 50,
    "questions": [{"text": "Q?", "options": ["a", "b"], "answer": 1}],
}


def test_owner_teammate_outsider(api, org, pm, rep, rep2, outsider_membership):
    made = api(pm).post("/api/courses/", BODY, format="json")
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert api(rep).post("/api/courses/", BODY, format="json").status_code == 403
    enrol = {"users": [rep.user_id, rep2.user_id]}
    assert api(rep).post(f"/api/courses/{pk}/enrolments/", enrol, format="json").status_code == 403
    assert api(pm).post(f"/api/courses/{pk}/enrolments/", enrol, format="json").json() == {
        "enrolled": 2
    }
    session = {"starts_at": "2026-12-01T10:00:00+08:00", "ends_at": "2026-12-01T12:00:00+08:00"}
    session["link"] = "https://meet.example.com/x"
    assert api(pm).post(f"/api/courses/{pk}/sessions/", session, format="json").status_code == 201
    assert len(api(rep).get(f"/api/courses/{pk}/sessions/").json()) == 1
    mine = api(rep).get("/api/enrolments/").json()
    assert [e["user"] for e in mine] == [rep.user.username]
    seen = api(rep).get(f"/api/courses/{pk}/enrolments/").json()
    assert [e["user"] for e in seen] == [rep.user.username]
    assert len(api(pm).get(f"/api/courses/{pk}/enrolments/").json()) == 2
    own = Enrolment.unscoped.get(user_id=rep.user_id).pk
    other = Enrolment.unscoped.get(user_id=rep2.user_id).pk
    check = api(rep).post(f"/api/enrolments/{own}/check/", {"answers": [1]}, format="json")
    assert check.status_code == 200 and check.json()["completed_at"]
    assert (
        api(rep)
        .post(f"/api/enrolments/{other}/check/", {"answers": [1]}, format="json")
        .status_code
        == 404
    )
    outsider = api(outsider_membership)
    assert outsider.get(f"/api/courses/{pk}/").status_code == 404
    assert outsider.get(f"/api/courses/{pk}/sessions/").status_code == 404
    assert outsider.post(f"/api/courses/{pk}/enrolments/", enrol, format="json").status_code == 404
    assert (
        outsider.post(f"/api/enrolments/{own}/check/", {"answers": [1]}, format="json").status_code
        == 404
    )
    assert outsider.get("/api/enrolments/").json() == []


@pytest.mark.parametrize(
    "change",
    [
        {"pass_mark": 0},
        {"pass_mark": 101},
        {"due_on": "3000-01-01"},
        {"questions": [{"text": "Q", "options": ["only"], "answer": 0}]},
        {"questions": [{"text": "Q", "options": ["a", "b"], "answer": 2}]},
        {"assets": [99999999]},
        {"title_zh": ""},
    ],
)
def test_bad_course_input_is_a_400(api, org, hr, change):
    response = api(hr).post("/api/courses/", {**BODY, **change}, format="json")
    assert response.status_code == 400, response.content


def test_bad_session_and_enrolment_input(api, org, hr, outsider_membership):
    pk = api(hr).post("/api/courses/", BODY, format="json").json()["id"]
    url = f"/api/courses/{pk}/sessions/"
    backwards = {
        "starts_at": "2026-12-01T10:00:00Z",
        "ends_at": "2026-12-01T09:00:00Z",
        "place": "A",
    }
    assert api(hr).post(url, backwards, format="json").status_code == 400
    far = {"starts_at": "1800-12-01T10:00:00Z", "ends_at": "1800-12-01T11:00:00Z", "place": "A"}
    assert api(hr).post(url, far, format="json").status_code == 400
    foreign = {"users": [outsider_membership.user_id]}
    assert api(hr).post(f"/api/courses/{pk}/enrolments/", foreign, format="json").status_code == 400
