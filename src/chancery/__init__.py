"""chancery: source-attributed intelligence from news coverage of international relations."""
from __future__ import annotations

from .records import Article, Dateline, Problem, Removed

__version__ = "0.1.0"
__all__ = ["Article", "Dateline", "Problem", "Removed", "__version__"]
