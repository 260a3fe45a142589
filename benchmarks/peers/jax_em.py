"""Euler–Maruyama ensembles W1 and W2 in JAX: jax.lax.scan over steps, jax.random.normal per step,
jax.jit, float64 on CPU, batched over paths.

Both cores: XLA's CPU client is asked for 2 host devices (XLA_FLAGS
--xla_force_host_platform_device_count, set below before jax is imported; PEER_DEVICES=1 for one)
and the paths are split across them with jax.shard_map, each device scanning its own block with
its own key. PRNG: JAX's default threefry2x32 (PEER_JAX_PRNG=rbg to try the other).
Timed: one jitted call from key to final state (block_until_ready), after a warm-up call that
compiles; the statistics check is outside the timing.
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
PRNG = os.environ.get("PEER_JAX_PRNG", "threefry2x32")  # JAX's default; "rbg" is an alternative
jax.config.update("jax_default_prng_impl", PRNG)

from peer_common import H, SIGMA_W1, check, parse_args, report, workloads  # noqa: E402


def em_block(workload, n, steps, h, key):
    """One device's block of n paths; key has shape (1,) inside shard_map."""
    key = key[0]
    a = 1.0 - h
    sqh = math.sqrt(h)
    step_keys = jax.random.split(key, steps)
    if workload == "W1":
        def body(x, k):
            z = jax.random.normal(k, (n,), dtype=jnp.float64)
            return a * x + (SIGMA_W1 * sqh) * z, None
        x0 = jnp.ones((n,), dtype=jnp.float64)
    else:
        def body(s, k):
            x, y = s[0], s[1]
            z = jax.random.normal(k, (2, n), dtype=jnp.float64)
            x = x - h * 4.0 * x * (x * x - 1.0) + sqh * z[0]
            y = a * y + sqh * z[1]
            return jnp.stack([x, y]), None
        x0 = jnp.stack([jnp.full((n,), -1.0), jnp.zeros((n,))])
    x0 = jax.lax.pcast(x0, ("p",), to="varying")  # the carry differs per device
    final, _ = jax.lax.scan(body, x0, step_keys)
    return final


def build(workload, paths, steps, h):
    devices = jax.devices()[:DEVICES]
    if paths % len(devices):
        raise SystemExit(f"paths must be a multiple of {len(devices)}")
    mesh = Mesh(np.array(devices), ("p",))
    n = paths // len(devices)
    spec_out = P("p") if workload == "W1" else P(None, "p")
    f = jax.shard_map(partial(em_block, workload, n, steps, h), mesh=mesh,
                      in_specs=P("p"), out_specs=spec_out)
    sim = jax.jit(f)

    def run(seed):
        keys = jax.random.split(jax.random.key(seed), len(devices))
        return sim(keys).block_until_ready()
    return run


def main():
    args = parse_args(__doc__.splitlines()[0])
    version = f"{jax.__version__} (jaxlib {jax.lib.__version__}, {DEVICES} CPU devices, {PRNG})"
    for wl in workloads(args.workload):
        run = build(wl, args.paths, args.steps, H)
        t0 = time.perf_counter()
        run(args.seed)  # compile + first run
        print(f"  {wl} warm-up (compile + run): {time.perf_counter() - t0:.2f} s")
        times = []
        for r in range(args.repeats):
            t0 = time.perf_counter()
            final = run(args.seed + 1 + r)
            times.append(time.perf_counter() - t0)
        final = np.asarray(final)
        sample = final if wl == "W1" else final[1]
        text, _ = check(wl, sample, H, args.steps)
        report("jax", version, wl, args.paths, args.steps, times, text, args.csv)
        if wl == "W2":
            print(f"  (W2 x, unchecked: mean {final[0].mean():.4f}, "
                  f"fraction in the right well {np.mean(final[0] > 0):.4f})")


if __name__ == "__main__":
    main()
