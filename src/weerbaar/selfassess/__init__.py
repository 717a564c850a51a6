"""Self-assessment: an organisation's own status per measure, pre-filled from the scan,
with an action plan, a comparison with public evidence, meterkastkaarten and the role
split between municipality and safety region."""

from weerbaar.catalog import PHASES
from weerbaar.selfassess.core import (
    Action,
    Entry,
    Finding,
    ForeignEvidence,
    LeftOut,
    Plan,
    PublicEvidence,
    action_plan,
    compare_claims,
    left_out,
    load_entries,
    prefill_from_scan,
    proposed_status,
    save_entry,
)
from weerbaar.selfassess.model import POINT_FUNCTIONS, SCAN_AUTHOR, Status

__all__ = [
    "PHASES",
    "POINT_FUNCTIONS",
    "SCAN_AUTHOR",
    "Action",
    "Entry",
    "Finding",
    "ForeignEvidence",
    "LeftOut",
    "Plan",
    "PublicEvidence",
    "Status",
    "action_plan",
    "compare_claims",
    "left_out",
    "load_entries",
    "prefill_from_scan",
    "proposed_status",
    "save_entry",
]
