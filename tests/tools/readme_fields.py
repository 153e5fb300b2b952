"""The README's field tables, generated from the models: ``python tests/tools/readme_fields.py``
rewrites every block between ``<!-- fields: Model -->`` and ``<!-- /fields -->`` markers."""

from __future__ import annotations

import re
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from pipeline.models import record_model  # noqa: E402
from pipeline.store.datapackage import field_table  # noqa: E402

BLOCK = re.compile(r"(<!-- fields: (\w+) -->\n)(.*?)(<!-- /fields -->)", re.DOTALL)


def generated(readme: str) -> str:
    return BLOCK.sub(
        lambda m: m.group(1) + field_table(record_model(m.group(2))) + m.group(4), readme
    )


def main() -> int:
    path = PROJECT / "README.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(generated(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
