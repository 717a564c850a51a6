"""Evidence search: indexes, measure matching, the review queue."""

from weerbaar.search.core import Classification, ScanReport, classify, queue_listing, scan, search
from weerbaar.search.rerank import estimate_remaining, rerank_queue, train_workspace_model

__all__ = [
    "Classification",
    "ScanReport",
    "classify",
    "estimate_remaining",
    "queue_listing",
    "rerank_queue",
    "scan",
    "search",
    "train_workspace_model",
]
