"""Rebuild tests/golden/expected/ from tests/golden/site/ after an intended change to the output.

    .venv/bin/python tests/golden/regenerate.py

Then review ``git diff --stat tests/golden/expected`` (and the diff itself) before committing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TESTS))

from test_golden import EXPECTED, build_golden, tree  # noqa: E402


def main() -> None:
    """Build the golden site and replace the expected tree with its output."""
    with tempfile.TemporaryDirectory() as work:
        built = build_golden(Path(work))
        shutil.rmtree(EXPECTED, ignore_errors=True)
        shutil.copytree(built, EXPECTED)
    print(f"{EXPECTED}: {len(tree(EXPECTED))} files")


if __name__ == "__main__":
    main()
