"""The README's field tables are the models' (generated, never hand-edited)."""

from __future__ import annotations

from tests.conftest import PROJECT_DIR
from tests.tools.readme_fields import BLOCK, generated


def test_the_readme_field_tables_are_generated_from_the_models() -> None:
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    assert len(BLOCK.findall(readme)) >= 3, "the README lost its field tables"
    assert readme == generated(readme), "run: python tests/tools/readme_fields.py"
