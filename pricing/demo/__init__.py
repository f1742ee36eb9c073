"""Demo data of pricing (see ``load``)."""

from pricing.demo.loader import load

__all__ = ["load"]
