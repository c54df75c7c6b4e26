"""Converters from real call logs and exports into a planner data folder."""

from planner.importers.anonbank import AnonbankImport, convert_anonbank, import_anonbank, read_anonbank

__all__ = ["AnonbankImport", "convert_anonbank", "import_anonbank", "read_anonbank"]
