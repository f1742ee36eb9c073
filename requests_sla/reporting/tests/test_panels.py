"""The dashboard's panel registry: ordered, a name registered again replaces."""

from requests_sla.reporting import panels


def test_panels_render_in_order_and_a_name_registers_once(monkeypatch):
    monkeypatch.setattr(panels, "_panels", {})
    panels.dashboard_panel_register("b", lambda request, filters: "<b>", 20)
    panels.dashboard_panel_register("a", lambda request, filters: f"<a {filters}>", 10)
    panels.dashboard_panel_register("a", lambda request, filters: "<a2>", 10)
    panels.dashboard_panel_register("none", lambda request, filters: "", 5)
    assert panels.dashboard_panels(None, "f") == ["<a2>", "<b>"]
