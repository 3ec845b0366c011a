"""chancery: source-attributed intelligence from news coverage of international relations."""
from __future__ import annotations

from .records import Article, Dateline, Problem, Removed

__version__ = "0.1.0"
__all__ = ["Article", "Dateline", "Problem", "Removed", "__version__", "open"]


def __getattr__(name: str):
    # chancery.open pulls in pandas; load it only when asked for
    if name == "open":
        from .notebook import open
        return open
    raise AttributeError(f"module 'chancery' has no attribute {name!r}")
