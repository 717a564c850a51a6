"""Evidence search: indexes, measure matching, the review queue."""

from weerbaar.search.core import ScanReport, classify, scan, search
from weerbaar.search.rerank import estimate_remaining, rerank_queue, train_workspace_model

__all__ = [
    "ScanReport",
    "classify",
    "estimate_remaining",
    "rerank_queue",
    "scan",
    "search",
    "train_workspace_model",
]
