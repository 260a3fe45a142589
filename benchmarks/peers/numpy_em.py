"""Euler–Maruyama ensembles W1 and W2 in plain vectorized numpy (float64, PCG64).

All paths live in arrays; a Python loop runs over the steps and draws the increments with
Generator.standard_normal. To use both cores the paths are split into one chunk per worker
thread, each with its own PCG64 stream spawned from one SeedSequence (numpy's ufuncs and its
Generator release the GIL on large arrays). Timed: everything from creating the generators to
the final state; imports and the statistics check are outside the timing.
"""
import math
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from peer_common import H, SIGMA_W1, check, parse_args, report, workloads

WORKERS = int(os.environ.get("PEER_WORKERS", "2"))


def em_chunk(workload, rng, n, steps, h):
    a = 1.0 - h
    sqh = math.sqrt(h)
    if workload == "W1":
        x = np.ones(n)
        z = np.empty(n)
        c = SIGMA_W1 * sqh
        for _ in range(steps):
            rng.standard_normal(out=z)
            # x <- x + (-x) h + sigma sqrt(h) z
            z *= c
            x *= a
            x += z
        return x
    # W2: drift -grad U = (-4x(x^2-1), -y), unit diffusion
    x = np.full(n, -1.0)
    y = np.zeros(n)
    z = np.empty((2, n))
    g = np.empty(n)
    for _ in range(steps):
        rng.standard_normal(out=z)
        z *= sqh
        np.multiply(x, x, out=g)
        g -= 1.0
        g *= x
        g *= 4.0 * h
        x -= g
        x += z[0]
        y *= a
        y += z[1]
    return np.stack([x, y])


def simulate(workload, paths, steps, h, seed, workers):
    rngs = [np.random.Generator(np.random.PCG64(s))
            for s in np.random.SeedSequence(seed).spawn(workers)]
    sizes = [paths // workers + (1 if i < paths % workers else 0) for i in range(workers)]
    if workers == 1:
        parts = [em_chunk(workload, rngs[0], paths, steps, h)]
    else:
        with ThreadPoolExecutor(workers) as ex:
            parts = list(ex.map(lambda i: em_chunk(workload, rngs[i], sizes[i], steps, h),
                                range(workers)))
    return np.concatenate(parts, axis=-1)


def main():
    args = parse_args(__doc__.splitlines()[0])
    for wl in workloads(args.workload):
        times = []
        for r in range(args.repeats):
            t0 = time.perf_counter()
            final = simulate(wl, args.paths, args.steps, H, args.seed + r, WORKERS)
            times.append(time.perf_counter() - t0)
        sample = final if wl == "W1" else final[1]
        text, _ = check(wl, sample, H, args.steps)
        report("numpy", f"{np.__version__} ({WORKERS} threads)", wl, args.paths, args.steps,
               times, text, args.csv)
        if wl == "W2":
            print(f"  (W2 x, unchecked: mean {final[0].mean():.4f}, "
                  f"fraction in the right well {np.mean(final[0] > 0):.4f})")


if __name__ == "__main__":
    main()
