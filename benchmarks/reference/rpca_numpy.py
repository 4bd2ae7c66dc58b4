#!/usr/bin/python3
"""Reference robust PCA (inexact ALM, full SVD) in NumPy, for docs/benchmarks.md.

Run with Debian's python3-numpy linked to OpenBLAS (apt-get install libopenblas0-pthread python3-numpy):
    /usr/bin/python3 benchmarks/reference/rpca_numpy.py [--pattern NAME] [--repeats R] [--csv FOLDER] N...
It builds the same matrices as benchmarks/PrefSuite.Benchmarks/BenchmarkMatrices.cs (by formula and by a counter-based
SplitMix64, so both programs build them bit for bit) and runs the same iteration as PrefSuite.Science.Denoising.RobustPca
with the published defaults (lambda = 1/sqrt(n), mu0 = 1.25/||M||_2, rho = 1.5, mu_max = 1e7 mu0, stop at
||M - L - S||_F / ||M||_F < 1e-7), with a full LAPACK SVD (gesdd) at every iteration. It is a speed and correctness
reference, not a test dependency. --csv FOLDER also writes each matrix as FOLDER/PATTERN-N.csv for `prefsuite denoise`.

Patterns:
  bt-flips       Bradley-Terry w_i - w_j, w_i = sin(2.3 i) + 0.01 i, about 3% of comparisons sign-flipped
  bt-large       the same Bradley-Terry matrix with 5% of its off-diagonal entries replaced by uniform values in [-25, 25]
  bt-large-skew  the same with 5% of its comparisons (i < j) replaced by v in [-25, 25], M[j, i] = -v
  generic        rank round(0.05 n) U V^T (U, V uniform in [-1, 1)), 5% of entries plus uniform noise in [-50, 50]
"""
import sys
import time

import numpy as np

GAMMA = np.uint64(0x9E3779B97F4A7C15)
STREAM = np.uint64(0xD1B54A32D192ED03)


def uniform(seed, count):
    """SplitMix64 output k for k = 1..count of the counter z_k = seed * STREAM + k * GAMMA, as doubles in [0, 1)."""
    with np.errstate(over="ignore"):
        k = np.arange(1, count + 1, dtype=np.uint64)
        z = np.uint64(seed) * STREAM + k * GAMMA
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def bradley_terry(n):
    i = np.arange(n)
    w = np.sin(2.3 * i) + 0.01 * i
    return w[:, None] - w[None, :]


def bt_flips(n):
    m = bradley_terry(n)
    i = np.arange(n)
    ii, jj = np.meshgrid(i, i, indexing="ij")
    flip = (ii < jj) & (((7919 * ii + 104729 * jj) % 100) < 3)
    m[flip] = -m[flip]
    m.T[flip] = -m.T[flip]  # the mirrored entry M[j, i] = -M[i, j]
    return m


def bt_large(n):
    m = bradley_terry(n)
    pick = uniform(1, n * n).reshape(n, n) < 0.05
    np.fill_diagonal(pick, False)
    value = 50.0 * uniform(2, n * n).reshape(n, n) - 25.0
    m[pick] = value[pick]
    return m


def bt_large_skew(n):
    m = bradley_terry(n)
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    pick = (uniform(3, n * n).reshape(n, n) < 0.05) & upper
    value = 50.0 * uniform(4, n * n).reshape(n, n) - 25.0
    m[pick] = value[pick]
    m.T[pick] = -value[pick]
    return m


def generic(n):
    r = max(1, round(0.05 * n))
    u = 2.0 * uniform(5, n * r).reshape(n, r) - 1.0
    v = 2.0 * uniform(6, n * r).reshape(n, r) - 1.0
    m = u @ v.T
    pick = uniform(7, n * n).reshape(n, n) < 0.05
    noise = 100.0 * uniform(8, n * n).reshape(n, n) - 50.0
    m[pick] += noise[pick]
    return m


PATTERNS = {"bt-flips": bt_flips, "bt-large": bt_large, "bt-large-skew": bt_large_skew, "generic": generic}


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
    max_rank = 0
    for iteration in range(1, max_iter + 1):
        sparse = soft(m - low + y / mu, lam / mu)
        u, s, vt = np.linalg.svd(m - sparse + y / mu, full_matrices=False)
        kept = int((s > 1.0 / mu).sum())
        max_rank = max(max_rank, kept)
        low = (u[:, :kept] * (s[:kept] - 1.0 / mu)) @ vt[:kept]
        z = m - low - sparse
        y = y + mu * z
        mu = min(mu * 1.5, mu_max)
        residual = np.linalg.norm(z, "fro") / norm_fro
        if residual < tol:
            break
    return low, sparse, iteration, residual, kept, max_rank


def main(args):
    pattern = "bt-flips"
    repeats = 5
    csv = None
    sizes = []
    it = iter(args)
    for a in it:
        if a == "--pattern":
            pattern = next(it)
        elif a == "--repeats":
            repeats = int(next(it))
        elif a == "--csv":
            csv = next(it)
        else:
            sizes.append(int(a))
    for n in sizes or [100, 200, 500, 1000]:
        m = PATTERNS[pattern](n)
        if csv is not None:
            np.savetxt(f"{csv}/{pattern}-{n}.csv", m, delimiter=",", fmt="%.17g")
            continue
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            low, sparse, iterations, residual, rank, max_rank = rpca(m)
            times.append(time.perf_counter() - start)
        flagged = int((np.abs(sparse) > 1e-6 * np.abs(m).max()).sum())
        print(f"pattern={pattern} n={n} median={np.median(times):.4f} min={min(times):.4f} iterations={iterations} "
              f"residual={residual:.2E} rank={rank} max_rank={max_rank} flagged={flagged} checksum={m.sum():.17g}")


if __name__ == "__main__":
    main(sys.argv[1:])
