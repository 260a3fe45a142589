"""Shared bits for the peer benchmarks: workload constants, exact moments, checks, CSV output.

Workloads (Euler–Maruyama, float64, final state only):
  W1: dX = -X dt + sqrt(0.2) dW, X0 = 1, h = 0.01, K = 1000 steps.
  W2: dX = -grad U dt + dW, U(x, y) = (x^2 - 1)^2 + y^2/2, start (-1, 0), h = 0.01, K = 1000.
For both, a linear EM chain x_{k+1} = a x_k + s sqrt(h) xi_k with a = 1 - h has
  mean a^K x0 and variance s^2 h (1 - a^(2K)) / (1 - a^2).
W1 checks X (x0 = 1, s^2 = 0.2); W2 checks the y-coordinate (x0 = 0, s^2 = 1).
"""
import argparse
import csv
import math
import os

H = 0.01
STEPS = 1000
PATHS = 100_000
SIGMA_W1 = math.sqrt(0.2)
CSV_COLUMNS = ["tool", "version", "workload", "paths", "steps", "seconds",
               "path_steps_per_second", "check"]


def exact_moments(workload, h=H, steps=STEPS):
    a = 1.0 - h
    if workload == "W1":
        x0, s2 = 1.0, 0.2
    elif workload == "W2":
        x0, s2 = 0.0, 1.0
    else:
        raise ValueError(workload)
    mean = a ** steps * x0
    var = s2 * h * (1.0 - a ** (2 * steps)) / (1.0 - a * a)
    return mean, var


def check(workload, sample, h=H, steps=STEPS):
    """sample: 1-D float64 numpy array of the checked coordinate at the final step.

    Returns (text, ok): |estimate - exact| in standard errors for mean and variance.
    The variance's standard error uses the sample fourth central moment.
    """
    import numpy as np
    x = np.asarray(sample, dtype=np.float64)
    n = x.size
    mean_exact, var_exact = exact_moments(workload, h, steps)
    m = x.mean()
    d = x - m
    v = (d * d).sum() / (n - 1)
    m4 = (d ** 4).mean()
    se_mean = math.sqrt(var_exact / n)
    se_var = math.sqrt(max(m4 - v * v, 0.0) / n)
    z_mean = abs(m - mean_exact) / se_mean
    z_var = abs(v - var_exact) / se_var
    ok = z_mean < 4.0 and z_var < 4.0
    coord = "X" if workload == "W1" else "y"
    text = (f"{'ok' if ok else 'FAIL'}: {coord} mean {m:.5f} vs {mean_exact:.5f} ({z_mean:.2f} SE); "
            f"var {v:.5f} vs {var_exact:.5f} ({z_var:.2f} SE)")
    return text, ok


def parse_args(description, default_paths=PATHS):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--workload", choices=["W1", "W2", "all"], default="all")
    p.add_argument("--paths", type=int, default=default_paths)
    p.add_argument("--steps", type=int, default=STEPS)
    p.add_argument("--repeats", type=int, default=3,
                   help="timed runs per workload; the median is reported")
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument("--csv", default=None, help="append one row per workload to this CSV file")
    return p.parse_args()


def workloads(arg):
    return ["W1", "W2"] if arg == "all" else [arg]


def report(tool, version, workload, paths, steps, times, check_text, csv_path):
    times = sorted(times)
    sec = times[len(times) // 2]
    rate = paths * steps / sec
    print(f"{tool} {version} {workload}: {paths} paths x {steps} steps, "
          f"median {sec:.3f} s of {len(times)} (min {times[0]:.3f} s) -> {rate:.3e} path-steps/s")
    print(f"  check: {check_text}")
    if csv_path:
        new = not os.path.exists(csv_path) or os.path.getsize(csv_path) == 0
        with open(csv_path, "a", newline="") as f:
            w = csv.writer(f)
            if new:
                w.writerow(CSV_COLUMNS)
            w.writerow([tool, version, workload, paths, steps, f"{sec:.4f}", f"{rate:.4e}", check_text])
