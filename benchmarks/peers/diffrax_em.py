"""Euler–Maruyama ensembles W1 and W2 with diffrax: diffrax.Euler (Euler–Maruyama for an
ODETerm + ControlTerm pair), UnsafeBrownianPath, constant step dt0 = h, SaveAt(t1=True), one
diffeqsolve per path vmapped over the paths, float64 on CPU.

UnsafeBrownianPath is used because diffrax's documentation states it fits exactly this case: fixed
step size, no backpropagation through the solve (it draws a fresh normal per step instead of
building a VirtualBrownianTree). PEER_DIFFRAX_BM=vbt switches to VirtualBrownianTree(tol=h/2)
for comparison.

Both cores: as in jax_em.py, 2 XLA host devices and jax.shard_map over the paths (PEER_DEVICES=1
for one). Timed: one jitted call from keys to final states (block_until_ready), after a warm-up
call that compiles; the statistics check is outside the timing.
"""
import os

DEVICES = int(os.environ.get("PEER_DEVICES", "2"))
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                           + f" --xla_force_host_platform_device_count={DEVICES}").strip()
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import math
import time
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, PartitionSpec as P

jax.config.update("jax_enable_x64", True)

import diffrax  # noqa: E402
import lineax  # noqa: E402

from peer_common import H, SIGMA_W1, check, parse_args, report, workloads  # noqa: E402

BM = os.environ.get("PEER_DIFFRAX_BM", "unsafe")


def drift_w1(t, y, args):
    return -y


def diffusion_w1(t, y, args):
    return jnp.asarray(SIGMA_W1, dtype=y.dtype)  # scalar state, scalar Brownian motion


def drift_w2(t, y, args):
    x, v = y[0], y[1]
    return jnp.stack([-4.0 * x * (x * x - 1.0), -v])


def diffusion_w2(t, y, args):
    # identity diffusion, given to diffrax as a diagonal operator so that .mv is elementwise
    return lineax.DiagonalLinearOperator(jnp.ones_like(y))


def solve_one(workload, steps, h, key):
    t0, t1 = 0.0, steps * h
    if workload == "W1":
        y0 = jnp.asarray(1.0, dtype=jnp.float64)
        shape, drift, diffusion = (), drift_w1, diffusion_w1
    else:
        y0 = jnp.array([-1.0, 0.0], dtype=jnp.float64)
        shape, drift, diffusion = (2,), drift_w2, diffusion_w2
    if BM == "vbt":
        bm = diffrax.VirtualBrownianTree(t0, t1, tol=h / 2, shape=shape, key=key)
    else:
        bm = diffrax.UnsafeBrownianPath(shape=shape, key=key)
    # diffrax rejects its default RecursiveCheckpointAdjoint with UnsafeBrownianPath and
    # suggests ForwardMode; nothing here is differentiated, so the adjoint only sets the loop.
    adjoint = diffrax.ForwardMode() if BM != "vbt" else diffrax.RecursiveCheckpointAdjoint()
    terms = diffrax.MultiTerm(diffrax.ODETerm(drift), diffrax.ControlTerm(diffusion, bm))
    sol = diffrax.diffeqsolve(terms, diffrax.Euler(), t0, t1, dt0=h, y0=y0,
                              saveat=diffrax.SaveAt(t1=True),
                              stepsize_controller=diffrax.ConstantStepSize(),
                              max_steps=steps + 16, adjoint=adjoint)
    return sol.ys[0], sol.stats["num_steps"]


def block(workload, steps, h, keys):
    return jax.vmap(partial(solve_one, workload, steps, h))(keys)


def build(workload, paths, steps, h):
    devices = jax.devices()[:DEVICES]
    if paths % len(devices):
        raise SystemExit(f"paths must be a multiple of {len(devices)}")
    mesh = Mesh(np.array(devices), ("p",))
    f = jax.shard_map(partial(block, workload, steps, h), mesh=mesh,
                      in_specs=P("p"), out_specs=(P("p"), P("p")),
                      # diffrax's internal while-loop carry mixes per-device and replicated
                      # values; each device's block is independent, so skip the VMA type check
                      check_vma=False)
    sim = jax.jit(f)

    def run(seed):
        keys = jax.random.split(jax.random.key(seed), paths)
        ys, nsteps = sim(keys)
        return ys.block_until_ready(), nsteps
    return run


def main():
    args = parse_args(__doc__.splitlines()[0])
    bm_name = "VirtualBrownianTree" if BM == "vbt" else "UnsafeBrownianPath"
    version = (f"{diffrax.__version__} (jax {jax.__version__}, {bm_name}, "
               f"{DEVICES} CPU devices)")
    for wl in workloads(args.workload):
        run = build(wl, args.paths, args.steps, H)
        t0 = time.perf_counter()
        _, nsteps = run(args.seed)  # compile + first run
        print(f"  {wl} warm-up (compile + run): {time.perf_counter() - t0:.2f} s; "
              f"steps taken per path: {sorted(set(np.asarray(nsteps).tolist()))}")
        times = []
        for r in range(args.repeats):
            t0 = time.perf_counter()
            final, _ = run(args.seed + 1 + r)
            times.append(time.perf_counter() - t0)
        final = np.asarray(final)
        sample = final if wl == "W1" else final[:, 1]
        text, _ = check(wl, sample, H, args.steps)
        tool = "diffrax-vbt" if BM == "vbt" else "diffrax"
        report(tool, version, wl, args.paths, args.steps, times, text, args.csv)
        if wl == "W2":
            print(f"  (W2 x, unchecked: mean {final[:, 0].mean():.4f}, "
                  f"fraction in the right well {np.mean(final[:, 0] > 0):.4f})")


if __name__ == "__main__":
    main()
