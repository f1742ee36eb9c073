"""The dashboard summary's worst departments, from the matrix's cells."""

from types import SimpleNamespace as Obj
from urllib.parse import urlencode

from requests_sla.reporting.selectors import MatrixCell
from requests_sla.reporting.summary import worst_departments


def cell(requesting, serving, decided, met):
    return MatrixCell(requesting, serving, decided, met, decided - met, 0, 0)


def test_the_worst_three_serving_departments_lowest_attainment_first():
    names = {1: "研发部", 2: "市场部", 3: "财务部", 4: "人事部", 5: "产品部"}
    d = Obj(
        filters=Obj(params=lambda **extra: {"period": "month", **extra}),
        matrix_columns=[Obj(pk=pk, name=name) for pk, name in names.items()],
        departments={},
        matrix={
            (10, 1): cell(10, 1, 10, 9),
            (11, 1): cell(11, 1, 10, 5),  # R&D: 14 of 20 over two requesting departments = 70%
            (10, 2): cell(10, 2, 4, 2),  # marketing 50%
            (10, 3): cell(10, 3, 10, 8),  # finance 80%
            (None, 4): cell(None, 4, 5, 5),  # HR met everything: not listed
            (10, 5): cell(10, 5, 5, 4),  # product 80%, fewer breaches than finance
        },
    )
    worst = worst_departments(d)
    assert [(w.name, round(w.attainment, 2), w.breached) for w in worst] == [
        ("市场部", 0.5, 2),
        ("研发部", 0.7, 6),
        ("财务部", 0.8, 2),
    ]
    query = urlencode({"period": "month", "serving": 2, "bucket": "breached"})
    assert worst[0].href.endswith(f"?{query}")  # the breached timers behind the figure


def test_no_department_listed_when_nothing_was_missed():
    d = Obj(
        filters=Obj(params=lambda **extra: extra),
        matrix_columns=[Obj(pk=1, name="研发部")],
        departments={},
        matrix={(None, 1): cell(None, 1, 3, 3)},
    )
    assert worst_departments(d) == []
