"""Every bound the readers enforce on an input file, in one place, with the reason for each figure.

A province sends a few hundred forms of ~50 KB and one or two consolidated sheets of a few hundred rows,
so each bound sits orders of magnitude above real use and orders of magnitude below what exhausts a
laptop: a file beyond one is refused with a message, never read for minutes or until memory runs out.
"""

from __future__ import annotations

MIB = 1024 * 1024

# On disk. The largest real input (a consolidated workbook for 250 units) is well under 5 MB.
MAX_FILE_BYTES = 200 * MIB

# A workbook is a zip of XML parts. Refused before anything is inflated when the sizes the zip declares
# add up to more than this, and again while inflating, because declared sizes can lie.
MAX_UNPACKED_BYTES = 200 * MIB
# Real sheet XML deflates 5-20x; a zip bomb reaches ~1000x. Only judged on parts big enough to matter.
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1 * MIB
MAX_PARTS = 10_000  # Excel writes tens of parts; thousands only with many sheets or images

# Rows of one sheet, counted to its last cell. A form has one row per indicator or criterion (~100).
FORM_MAX_ROWS = 10_000
# A consolidated sheet (.xlsx sheet or .csv): one row per unit. Every commune-level unit of the country
# (~10,600) fits, twice over. Measured through the whole pipeline (the evaluator's per-unit notes dominate):
# 20,000 units take ~5 s and ~0.9 GB, so 200,000 would take ~9 GB, more than an office laptop has.
TABLE_MAX_ROWS = 20_000
# python-calamine lays a sheet out as a dense grid, rows x columns from A1 to the last cell, ~40 bytes a
# cell between Rust and Python: 10 million cells is ~400 MB. One cell at XFD1048576 would be 17 billion.
MAX_SHEET_CELLS = 10_000_000

# One line of a CSV file. A row of a consolidated sheet is a few KB; even 128 cells each at Excel's limit
# (32,767 characters, at most 4 bytes each) fit. A longer line is no table row: refused before it is decoded
# (decoding one 195 MB line of 4-byte characters took ~1 GB).
MAX_LINE_BYTES = 16 * MIB
# A unit's name or code longer than this is not a name: refused before any matching (and never quoted whole).
MAX_NAME_CHARS = 300
# Excel's own limit for a cell: longer evidence or reason text cannot have come from Excel, and would make
# the xlsx report unreadable in Excel. Kept cut to this length, with a warning.
MAX_TEXT_CHARS = 32_767
# Problems listed for one file (or sheet): beyond, only counted, in one closing line. A sheet of garbage
# (20,000 rows x 500 columns of text in number cells) would otherwise be 10 million messages.
MAX_PROBLEMS_PER_FILE = 1_000
# How much of a typed value a message quotes back.
QUOTE_CHARS = 60
