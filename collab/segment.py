"""Chinese word segmentation (jieba), loaded on first use.

jieba builds its prefix dictionary (about two seconds of CPU) the first time it
segments a text or is given a word. Imported and primed at module level, it made
every Django process pay that at start-up — ``migrate``, each Celery and gunicorn
worker, each test worker — though only the search of the library and of
requirements needs it. jieba's dictionary is one per process, so the trade terms
are added here, once, for every caller.
"""

from __future__ import annotations

import functools
import logging
from types import ModuleType

# Terms of the trade jieba's dictionary splits ("等保" would lose 等 as a stopword).
TRADE_TERMS = ("等保", "等保2.0", "信创", "私有化部署", "话术", "多级权限", "回款", "复购")


@functools.cache
def jieba() -> ModuleType:
    """The jieba module, its dictionary loaded and the trade terms added."""
    import jieba as module

    module.setLogLevel(logging.WARNING)
    for term in TRADE_TERMS:
        module.add_word(term)
    return module
