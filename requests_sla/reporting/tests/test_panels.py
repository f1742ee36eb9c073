"""The dashboard's panel registry: ordered, a name registered again replaces."""

from requests_sla.reporting import panels


def test_panels_render_in_order_and_a_name_registers_once(monkeypatch):
    monkeypatch.setattr(panels, "_panels", {})
    panels.dashboard_panel_register("b", lambda request: "<b>", 20)
    panels.dashboard_panel_register("a", lambda request: "<a>", 10)
    panels.dashboard_panel_register("a", lambda request: "<a2>", 10)
    panels.dashboard_panel_register("none", lambda request: "", 5)
    assert panels.dashboard_panels(None) == "<a2><b>"
