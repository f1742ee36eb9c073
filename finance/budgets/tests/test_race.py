"""Two processes approving at the same moment can never overspend: two real
connections (threads) each reserve 60,000 of a 100,000 budget; the row lock
lets exactly one through and the other is refused with nothing written."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from collab.errors import ServiceError
from collab.tenancy import organization_scope
from finance.budgets import services
from finance.budgets.models import Budget, BudgetLine


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_reservations_never_overspend(org, head_fin, budget):
    barrier = threading.Barrier(2)
    outcomes = []

    def reserve():
        try:
            barrier.wait()
            services.reservation_make(
                actor=head_fin, budget_id=budget.pk, amount=Decimal("60000.00"), label="冲刺"
            )
            outcomes.append("ok")
        except ServiceError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    with organization_scope(org.id):
        assert Budget.objects.get(pk=budget.pk).reserved == Decimal("60000.00")
        assert BudgetLine.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_overspend_even_without_the_lock(org, budget):
    from django.db import IntegrityError, transaction

    with organization_scope(org.id), pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(consumed=Decimal("100000.01"))
