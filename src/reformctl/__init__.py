"""reformctl: a union reform plan's task ledger (台账) kept as plain YAML in git."""

__version__ = "0.1.0"
