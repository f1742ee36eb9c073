"""Walking Collab's own classes, for tests that check a rule holds for every
form or serializer (new ones included without anyone remembering)."""

from __future__ import annotations

import importlib
import pkgutil

from django.apps import apps


def project_classes(base):
    """Every subclass of ``base`` defined in Collab's own modules."""
    for app in apps.get_app_configs():
        if app.name.split(".")[0] not in ("departments", "requests_sla", "pipeline"):
            continue
        for info in pkgutil.walk_packages([app.path], prefix=f"{app.name}."):
            if ".tests" in info.name or ".migrations" in info.name:
                continue
            if info.name.endswith((".demo", ".management")) or ".management." in info.name:
                continue
            importlib.import_module(info.name)
    seen, stack = set(), [base]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return [
        c for c in seen if c.__module__.split(".")[0] in ("departments", "requests_sla", "pipeline")
    ]
