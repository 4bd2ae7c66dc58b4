#!/usr/bin/python3
"""Reference robust PCA (inexact ALM, full SVD) in NumPy, for docs/benchmarks.md.

Run with Debian's python3-numpy linked to OpenBLAS (apt-get install libopenblas0-pthread python3-numpy):
    /usr/bin/python3 benchmarks/reference/rpca_numpy.py 100 200 500 1000
It builds the same Bradley-Terry matrices as benchmarks/PrefSuite.Benchmarks/BenchmarkMatrices.cs and runs the
same iteration as PrefSuite.Science.Denoising.RobustPca with the published defaults (lambda = 1/sqrt(n),
mu0 = 1.25/||M||_2, rho = 1.5, mu_max = 1e7 mu0, stop at ||M - L - S||_F / ||M||_F < 1e-7), with a full SVD at
every iteration. It is a speed and correctness reference, not a test dependency.
"""
import sys
import time

import numpy as np


def bradley_terry_with_flips(n):
    i = np.arange(n)
    w = np.sin(2.3 * i) + 0.01 * i
    m = w[:, None] - w[None, :]
    ii, jj = np.meshgrid(i, i, indexing="ij")
    flip = (ii < jj) & (((7919 * ii + 104729 * jj) % 100) < 3)
    m[flip] = -m[flip]
    m.T[flip] = -m.T[flip]  # the mirrored entry M[j, i] = -M[i, j]
    return m


def soft(x, t):
    return np.sign(x) * np.maximum(np.abs(x) - t, 0.0)


def rpca(m, tol=1e-7, max_iter=1000):
    norm_fro = np.linalg.norm(m, "fro")
    lam = 1.0 / np.sqrt(max(m.shape))
    spectral = np.linalg.norm(m, 2)
    mu = 1.25 / spectral
    mu_max = mu * 1e7
    y = m / max(spectral, np.abs(m).max() / lam)
    low = np.zeros_like(m)
    sparse = np.zeros_like(m)
    for iteration in range(1, max_iter + 1):
        sparse = soft(m - low + y / mu, lam / mu)
        u, s, vt = np.linalg.svd(m - sparse + y / mu, full_matrices=False)
        kept = int((s > 1.0 / mu).sum())
        low = (u[:, :kept] * (s[:kept] - 1.0 / mu)) @ vt[:kept]
        z = m - low - sparse
        y = y + mu * z
        mu = min(mu * 1.5, mu_max)
        residual = np.linalg.norm(z, "fro") / norm_fro
        if residual < tol:
            break
    return low, sparse, iteration, residual, kept


def main(sizes):
    for n in sizes:
        m = bradley_terry_with_flips(n)
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            low, sparse, iterations, residual, rank = rpca(m)
            best = min(best, time.perf_counter() - start)
        flagged = int((np.abs(sparse) > 1e-6 * np.abs(m).max()).sum())
        print(f"n={n} seconds={best:.4f} iterations={iterations} residual={residual:.2E} rank={rank} flagged={flagged}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 200, 500, 1000])
