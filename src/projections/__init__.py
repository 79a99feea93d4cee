"""Read models derived from the event log, and their catch-up and rebuild.

Entry point: `ReadSide` (api.py); `report_for(hotline_or_url, period, as_of)`
for a one-shot §5 report. See docs/projections.md.
"""

from projections.api import ReadSide, report_for
from projections.runner import Drift, Runner, Status, UnknownProjection
from workflow.period import Period, parse_period

__all__ = ["Drift", "Period", "ReadSide", "Runner", "Status", "UnknownProjection",
           "parse_period", "report_for"]
