"""Finance's demo data (filled in below)."""


def load(*, organization, key: str) -> None:
    return None
