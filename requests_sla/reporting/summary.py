"""The dashboard's summary, read first: the four headline numbers come from
the page's own figures; here, the serving departments with the lowest SLA
attainment in the period (summed over the department matrix's cells, so the
summary and the matrix never disagree)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from requests_sla.reporting.selectors import Dashboard


@dataclass(frozen=True)
class WorstDepartment:
    name: str
    decided: int
    met: int
    breached: int
    href: str  # the breached timers behind the figure

    @property
    def attainment(self) -> float:
        return self.met / self.decided


def worst_departments(d: Dashboard, count: int = 3) -> list[WorstDepartment]:
    """Up to ``count`` serving departments that missed a target in the period,
    lowest attainment first (ties: more breaches first, then name)."""
    totals: dict[int, list[int]] = {}
    for (_requesting, serving), cell in d.matrix.items():
        figures = totals.setdefault(serving, [0, 0, 0])
        figures[0] += cell.decided
        figures[1] += cell.met
        figures[2] += cell.breached
    drill = reverse("dashboard:drilldown")
    # Every serving department with a department row is a matrix column.
    names = {dep.pk: dep.name for dep in d.matrix_columns}
    rows = [
        WorstDepartment(
            name=names.get(serving, "—"),
            decided=decided,
            met=met,
            breached=breached,
            href=f"{drill}?{urlencode(d.filters.params(serving=serving, bucket='breached'))}",
        )
        for serving, (decided, met, breached) in totals.items()
        if decided and breached
    ]
    rows.sort(key=lambda row: (row.attainment, -row.breached, row.name))
    return rows[:count]
