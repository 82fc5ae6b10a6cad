"""reformctl's benchmark (issue 6): a ledger generator and one command that measures ratios."""
