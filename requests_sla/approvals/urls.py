from django.urls import path

from requests_sla.approvals import views

# In the requests_sla namespace, under /requests/approvals/.
urlpatterns = [
    path("approvals/", views.approvals_queue, name="approvals"),
    path("approvals/<int:pk>/act/", views.approval_act, name="approval_act"),
    path("approvals/link/<str:token>/", views.approval_link, name="approval_link"),
    path("approvals/resubmit/<int:pk>/", views.approval_resubmit, name="approval_resubmit"),
    path("approvals/delegations/", views.delegation_add, name="approval_delegation_add"),
    path(
        "approvals/delegations/<int:pk>/remove/",
        views.delegation_remove,
        name="approval_delegation_remove",
    ),
    path("approvals/chain/<int:type_id>/", views.chain_edit, name="approval_chain"),
]
