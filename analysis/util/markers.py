"""The vocabulary input files share: missing-value markers, date formats, staff groups.

One list of each, used by the readers of published files (:mod:`analysis.io.readers`) and by
the cleaning of local returns (:mod:`analysis.cleaning.rules`), so both accept the same text.
"""

from __future__ import annotations

MISSING_MARKERS = frozenset({"", "ND", "NA"})
"""Text that means "no value" (upper-cased, trimmed): blank, 'ND' (no valid data) and 'NA' (not
available). Such a cell is missing, never zero."""

DATE_FORMATS = (
    "%d/%m/%Y",           # 01/04/2017 (NHS Payments, most returns)
    "%Y-%m-%d",           # 2017-04-01 (ISO)
    "%d/%m/%y",           # 01/04/17
    "%d-%m-%Y",           # 01-04-2017
    "%d %b %Y",           # 1 Apr 2017
    "%d-%b-%y",           # 01-Apr-17
    "%d-%b-%Y",           # 01-Apr-2017
    "%d/%m/%Y %H:%M",     # 01/04/2017 00:00 (spreadsheet export)
    "%Y-%m-%d %H:%M:%S",  # 2017-04-01 00:00:00 (spreadsheet export)
)
"""Date formats accepted in input files, tried in this order. No text matches two of them (each
has its own separators, field widths or month names), so the order does not change a result."""

STAFF_GROUPS = ("GP", "Nurses", "Direct Patient Care", "Admin/Non-clinical")
"""Staff groups of the GP workforce collection, in publication order."""
