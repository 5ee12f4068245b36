"""The benchmarks' reference data: the shared data folder loaded once, as an operator would
(``saferplan reference load``), into a temporary store that every store they open copies."""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from saferplan.assessment.reference.load import load_files, shared_data_files  # noqa: E402
from saferplan.assessment.store import connect  # noqa: E402

DATA_DIR = Path(os.environ.get("SAFERPLAN_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data"))

_folder = Path(tempfile.mkdtemp(prefix="saferplan-bench-reference-"))
atexit.register(shutil.rmtree, _folder, True)
_conn = connect(_folder / "reference.duckdb")
load_files(_conn, shared_data_files(DATA_DIR))
_conn.close()
os.environ["SAFERPLAN_REFERENCE_FROM"] = str(_folder / "reference.duckdb")
