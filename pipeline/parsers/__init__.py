"""Parsers: text in, records and warnings out. No I/O, no network."""
