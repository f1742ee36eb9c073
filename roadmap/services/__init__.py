"""Writes of requirement review. Callers import the modules: ``requirements``
(submit, back, merge, the state machine), ``assessments`` (R&D's assessment on
the SLA engine), ``boards`` (the bi-weekly board and its decisions),
``prototypes`` (validation) and ``releases`` (ship and the loop back to deals)."""
