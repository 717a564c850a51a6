"""Self-assessment: an organisation's own status per measure, pre-filled from the scan,
with an action plan, a comparison with public evidence, meterkastkaarten and the role
split between municipality and safety region."""

from weerbaar.selfassess.core import (
    Action,
    Entry,
    Finding,
    PublicEvidence,
    action_plan,
    compare_claims,
    load_entries,
    prefill_from_scan,
    proposed_status,
    save_entry,
)
from weerbaar.selfassess.model import PHASES, POINT_FUNCTIONS, Status

__all__ = [
    "PHASES",
    "POINT_FUNCTIONS",
    "Action",
    "Entry",
    "Finding",
    "PublicEvidence",
    "Status",
    "action_plan",
    "compare_claims",
    "load_entries",
    "prefill_from_scan",
    "proposed_status",
    "save_entry",
]
