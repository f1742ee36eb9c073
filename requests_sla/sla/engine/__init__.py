"""The SLA engine: pure functions of a business calendar, a target and an event log.

Nothing here imports Django or any other Collab module (an import-linter
contract checks it): the same code runs in property tests against a
minute-walking reference, in the services and in the benchmarks.
"""
