"""enablement's demo (departments.registry demo step, order 500)."""

from enablement.demo.library import load

__all__ = ["load"]
