"""Leftovers of the old services package, emptied as sub-domains move out."""
