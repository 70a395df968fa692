import os
import sys
from pathlib import Path

# One BLAS thread (as `make` sets it): threaded BLAS stalls on this shared 2-core machine.
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

# Plotly checks every figure the tests make (the app skips the checks for speed: see
# gdviz.figures.theme), so a misspelt or invalid property fails a test.
os.environ.setdefault("GDVIZ_VALIDATE_FIGURES", "1")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
