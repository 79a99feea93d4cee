"""The audit: replay any case as of any moment, and prove its history intact.

Pure read-side logic over stored rows (see rows.py): chain verification,
the log digest, as-of replay, history, diff, deadline timelines and export.
The store access that feeds it lives in adapters/audit_store.py.
"""

from workflow.audit.digest import Digest, InvalidDigest, check_digest, compute_digest
from workflow.audit.rows import StoredRow, Undecodable, decode_state, to_event
from workflow.audit.verify import Break, VerifyReport, verify_rows

__all__ = [
    "Break", "Digest", "InvalidDigest", "StoredRow", "Undecodable", "VerifyReport",
    "check_digest", "compute_digest", "decode_state", "to_event", "verify_rows",
]
