"""Provider dialects: pure mapping functions plus thin httpx calls.

Adapters never touch the database and never decide retries; they translate, and they
classify failures (`base.py`) so the sync engine can decide.
"""
