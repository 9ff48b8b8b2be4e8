"""The records every layer shares: the case model, its file format, the entry checks, the
duty-list summary and the referral wire payload.

This package is the bottom layer. It imports nothing from ``duty_tui``, ``store`` or
``central``; all three import it (the import-linter contracts in pyproject.toml say so).
"""
