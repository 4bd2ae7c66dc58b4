#!/usr/bin/python3
"""Writes the NumPy reference fixture that tests/PrefSuite.Science.Tests/Denoising/NumPyReferenceTests.cs checks.

    /usr/bin/python3 benchmarks/reference/rpca_fixtures.py > tests/PrefSuite.Science.Tests/Denoising/Fixtures/rpca_numpy.json

For each benchmark pattern at small sizes it runs rpca_numpy.rpca (inexact ALM with a full LAPACK SVD) and records the
outcome and the Bradley-Terry scores (row means of L), to 17 significant digits.
"""
import json
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import rpca_numpy as R  # noqa: E402

cases = []
for pattern, n in [("bt-flips", 60), ("bt-large", 60), ("bt-large-skew", 80), ("generic", 60), ("generic", 120)]:
    m = R.PATTERNS[pattern](n)
    low, sparse, iterations, residual, rank, _ = R.rpca(m)
    cases.append({
        "pattern": pattern,
        "n": n,
        "iterations": iterations,
        "residual": float(residual),
        "rank": rank,
        "flagged": int((np.abs(sparse) > 1e-6 * np.abs(m).max()).sum()),
        "spectral_norm": float(np.linalg.norm(m, 2)),
        "scores": [float(v) for v in low.mean(axis=1)],
        "low_rank_frobenius": float(np.linalg.norm(low, "fro")),
    })
json.dump({"command": "/usr/bin/python3 benchmarks/reference/rpca_fixtures.py", "numpy": np.__version__, "cases": cases},
          sys.stdout, indent=1)
print()
