"""Lote: an offline-first outbox for electronic invoices."""

__version__ = "0.1.0"
