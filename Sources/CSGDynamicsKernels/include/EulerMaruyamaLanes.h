#ifndef SGDYN_EULER_MARUYAMA_LANES_H
#define SGDYN_EULER_MARUYAMA_LANES_H
#include <stdint.h>

/// Drift forms of the fused Euler–Maruyama kernel.
enum {
    /// b(x) = −H (x − c), H dense d × d (row-major), the Swift `Quadratic` gradient negated.
    SGDYN_EM_DRIFT_LINEAR = 1,
    /// b(x) = −(4 h x₀ (x₀² − 1), x₁), the Swift `DoubleWell` gradient negated (d = 1 or 2).
    SGDYN_EM_DRIFT_DOUBLE_WELL = 2,
};

/// An SDE dX = b(X) dt + σ dW with additive noise (σ a scalar, as many Brownian components as
/// coordinates) for ``sgdyn_em_lanes``.
typedef struct {
    uint64_t seed;
    uint32_t stream;
    /// Number of coordinates d (= Brownian components), 1 ... SGDYN_EM_MAX_DIMENSION.
    int32_t dimension;
    int32_t drift;
    /// Linear drift: H (d·d) and c (d).
    const double *hessian;
    const double *center;
    /// Double well: the height h.
    double height;
    /// Step h, its square root (the Brownian increment is √h·ξ), σ, and the squared divergence bound.
    double stepSize;
    double sqrtStepSize;
    double sigma;
    double bound2;
    /// The ziggurat's edges x[0...256] and heights f(x_i) (the Swift `Ziggurat` tables).
    const double *edges;
    const double *heights;
} sgdyn_em_problem;

#define SGDYN_EM_MAX_DIMENSION 8
/// The most groups of four paths one call advances.
#define SGDYN_EM_MAX_GROUPS 16

/// Euler–Maruyama steps of `groups` groups of four consecutive paths (paths firstPath ..< firstPath +
/// 4·groups), in the Swift lane arithmetic operation for operation:
///
///     ξ = the counter-based normal of (seed, stream, path, step, component), ΔW = √h·ξ,
///     x ← x + (h·b(x) + σ·ΔW)
///
/// `x[(g·d + i)·4 + q]` is coordinate i of path firstPath + 4g + q. Runs steps `step ..< step + steps`
/// and checks after each step that ‖x‖² is finite and at most bound2 (the Swift `DivergenceRule`).
/// Returns the number of steps done: `steps`, or fewer when a path whose bit is set in `alive[g]`
/// (bit q: path 4g + q) fails the check; that step is done, and its paths are set in `dead[g]`
/// (all of `dead` is written). Bitwise the same numbers whichever instruction set is in use
/// (`sgdyn_normal_blocks_set_level`).
int sgdyn_em_lanes(const sgdyn_em_problem *problem, int64_t firstPath, int groups, int64_t step, int steps,
                   double *x, const uint8_t *alive, uint8_t *dead);

#endif
