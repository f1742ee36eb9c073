from django.urls import path

from pricing.web import views

app_name = "pricing"

urlpatterns = [
    path("quotes/", views.quote_list, name="quotes"),
    path("quotes/new/", views.quote_new, name="quote_new"),
    path("quotes/report/", views.quote_report, name="quote_report"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/edit/", views.quote_edit, name="quote_edit"),
    path("quotes/<int:pk>/pdf/", views.quote_pdf, name="quote_pdf"),
    path("quotes/<int:pk>/print/", views.quote_print, name="quote_print"),
    path(
        "quotes/<int:pk>/<slug:action>/",
        views.quote_action,
        name="quote_action",
    ),
    path("products/", views.product_list, name="products"),
    path("price-lists/", views.price_list_list, name="price_lists"),
    path("price-lists/<int:pk>/", views.price_list_detail, name="price_list_detail"),
    path("price-lists/<int:pk>/publish/", views.price_list_publish, name="price_list_publish"),
    path("bundles/", views.bundle_list, name="bundles"),
    path("bundles/comparison/", views.comparison, name="comparison"),
    path("bundles/<int:pk>/", views.bundle_detail, name="bundle_detail"),
    path("bundles/<int:pk>/publish/", views.bundle_publish, name="bundle_publish"),
]
