def load(*, organization, key):
    return None
