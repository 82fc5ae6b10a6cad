"""Every output format's name, declared once. The commands' ``--format`` options are these types,
and each renderer dispatches on the same names. (No imports: the command line reads this at
start-up.)

Languages: the views a person reads (``table``, ``text``, ``markdown``, and the report's ``html``
and ``xlsx``) are drawn in the run's language; the machine formats (``json``, ``yaml``, and a
listing's ``csv``) keep English keys and the files' values in every language, so that scripts
and spreadsheets read them the same whoever ran the command. The report's ``csv`` is the one
mixed case: headers in the report's language, level and status as the files' values."""

from __future__ import annotations

from typing import Literal, get_args

ListingFormat = Literal["table", "json", "csv", "markdown", "yaml"]
RecordFormat = Literal["text", "json", "yaml"]
# `voices` lists (as a listing) or shows one statement (as a record)
ListingOrRecordFormat = Literal["table", "text", "json", "csv", "markdown", "yaml"]
CheckFormat = Literal["text", "json", "github"]
WriteFormat = Literal["text", "json"]  # update, add
ReportFormat = Literal["text", "markdown", "html", "json", "csv", "xlsx", "docx"]
RollupFormat = Literal["table", "json", "csv", "markdown", "html", "xlsx", "docx"]  # csv: machine

LISTING_FORMATS: tuple[str, ...] = get_args(ListingFormat)
RECORD_FORMATS: tuple[str, ...] = get_args(RecordFormat)
CHECK_FORMATS: tuple[str, ...] = get_args(CheckFormat)
REPORT_FORMATS: tuple[str, ...] = get_args(ReportFormat)
ROLLUP_FORMATS: tuple[str, ...] = get_args(RollupFormat)
