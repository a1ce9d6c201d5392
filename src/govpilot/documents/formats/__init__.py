"""One module per file format: how its bytes become a Document, and back where supported.

Public entry points live in `govpilot.documents.loaders` and `govpilot.documents.writers`;
these modules are private building blocks.
"""
