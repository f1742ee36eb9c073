"""Demo approval chains and requests (filled in below)."""


def load(*, organization, key: str) -> None:
    return None
