"""Versioned datasets under processed/: write, read, compare.

Reading from your own code::

    from pipeline.store import list_versions, read_manifest, read_table

    cards = read_table(Path("processed"), "awesome-deep-phenomena")   # LATEST records.json
"""

from pipeline.store.versions import (
    diff_versions,
    latest_version,
    list_versions,
    read_manifest,
    read_table,
)

__all__ = ["diff_versions", "latest_version", "list_versions", "read_manifest", "read_table"]
