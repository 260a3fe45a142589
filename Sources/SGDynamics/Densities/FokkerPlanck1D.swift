import Foundation

/// The 1-D Fokker–Planck equation in conservative form, discretised by the Chang–Cooper exponentially
/// fitted flux with zero-flux walls (docs/THEORY.md §7.1–§7.3):
///
///     ∂_t p = ∂_x [ B(x) p + C(x) ∂_x p ],     B = D' − b,   C = D = σ²/2
///     dp/dt = A p,   A tridiagonal:  A[j+1, j] = C β(w_j)/Δx²,   A[j, j+1] = C β(−w_j)/Δx²,
///                    A[j, j] = −(A[j+1, j] + A[j−1, j]),   w_j = Δx B_{j+½}/C_{j+½}
///
/// for the Itô SDE `dX = b(X) dt + σ(X) dW`, with `p_j` the cell masses on a ``Grid1D`` (`Σ p = 1`).
/// The columns of `A` sum to zero (mass is conserved exactly) and its off-diagonal entries are ≥ 0.
///
/// - Stationary law: zero flux on every face, `p_{j+1} = e^{−w_j} p_j` (``stationary(boundaryTolerance:maximumCellPeclet:)``).
///   With ``init(grid:diffusion:potential:)`` (`B_{j+½} = (L(x_{j+1}) − L(x_j))/Δx`, `C = D`) this is
///   the grid Gibbs law `∝ e^{−L(x_j)/D}` exactly, up to round-off; from a general drift it is exact only
///   up to the `O(Δx²)` quadrature error of `B` and `C` at the faces.
/// - Time stepping: implicit Euler `(I − Δt A) p^{n+1} = p^n` (``implicitEuler(timeStep:)``,
///   ``evolve(_:timeStep:steps:saveEvery:boundaryTolerance:progress:)``): `I − Δt A` is an M-matrix, so mass and
///   positivity hold for every `Δt`; the time error is `O(Δt)`, the space error `O(Δx²)`.
/// - Coefficients are time-independent; a model's drift and diffusion are frozen at `t = 0`.
/// - Reference: Chang & Cooper, J. Comput. Phys. 6 (1970) 1–16; Risken, *The Fokker–Planck Equation*.
public struct FokkerPlanck1D: Sendable {
    public let grid: Grid1D
    /// `B_{j+½}`, `j = 0, …, n−2`.
    public let faceDrift: [Double]
    /// `C_{j+½} > 0`.
    public let faceDiffusion: [Double]
    /// The cell Péclet numbers `w_j = Δx B_{j+½}/C_{j+½}`.
    public let cellPeclet: [Double]
    /// The generator `A` (`dp/dt = A p`).
    public let generator: TridiagonalMatrix

    /// From face coefficients `B_{j+½}`, `C_{j+½}` (`n − 1` each) and, optionally, the Péclet numbers
    /// `w_j` when they are known more exactly than `Δx B/C` (the potential constructor passes `ΔL/D`).
    ///
    /// Throws ``ConfigurationError`` if a coefficient is not finite or some `C_{j+½} ≤ 0`.
    public init(grid: Grid1D, faceDrift: [Double], faceDiffusion: [Double], cellPeclet: [Double]? = nil) throws {
        let n = grid.count
        precondition(faceDrift.count == n - 1 && faceDiffusion.count == n - 1, "FokkerPlanck1D: need n − 1 face coefficients")
        let dx = grid.spacing
        var w = [Double](repeating: 0, count: n - 1)
        for j in 0..<(n - 1) {
            let b = faceDrift[j], c = faceDiffusion[j]
            guard b.isFinite else {
                throw ConfigurationError(field: "drift", "must be finite on the grid; B = D' − b is \(b) at x = \(grid.face(j))")
            }
            guard c.isFinite, c > 0 else {
                throw ConfigurationError(field: "diffusion", "must be positive and finite on the grid; D = \(c) at x = \(grid.face(j))")
            }
            w[j] = cellPeclet?[j] ?? dx * b / c
            guard w[j].isFinite else {
                throw ConfigurationError(field: "grid.count", "cell Péclet number Δx·B/C is not finite at x = \(grid.face(j)); refine the grid")
            }
        }
        var lower = [Double](repeating: 0, count: n)
        var diagonal = [Double](repeating: 0, count: n)
        var upper = [Double](repeating: 0, count: n)
        for j in 0..<(n - 1) {
            let (right, left) = ChangCooper.rates(peclet: w[j], diffusion: faceDiffusion[j], spacing: dx)
            lower[j + 1] = right          // A[j+1, j]: j → j+1
            upper[j] = left               // A[j, j+1]: j+1 → j
            diagonal[j] -= right
            diagonal[j + 1] -= left
        }
        self.grid = grid
        self.faceDrift = faceDrift
        self.faceDiffusion = faceDiffusion
        self.cellPeclet = w
        self.generator = TridiagonalMatrix(lower: lower, diagonal: diagonal, upper: upper)
    }

    /// Gradient drift `b = −L'` with constant diffusion `D` (docs/THEORY.md §6.1, §7.2):
    ///
    ///     B_{j+½} = (L(x_{j+1}) − L(x_j))/Δx,   C = D,   w_j = (L(x_{j+1}) − L(x_j))/D
    ///
    /// so the discrete equilibrium is exactly `p_j ∝ e^{−L(x_j)/D}`.
    /// Throws ``ConfigurationError`` for `D ≤ 0` (field `diffusion`) or a non-finite `L` on the grid.
    public init(grid: Grid1D, diffusion d: Double, potential: (Double) -> Double) throws {
        guard d.isFinite, d > 0 else {
            throw ConfigurationError(field: "diffusion", "must be a positive finite number, got \(d)")
        }
        let l = grid.nodes.map(potential)
        for j in 0..<grid.count where !l[j].isFinite {
            throw ConfigurationError(field: "potential", "must be finite on the grid; L(\(grid[j])) = \(l[j])")
        }
        let dl = (0..<(grid.count - 1)).map { l[$0 + 1] - l[$0] }
        try self.init(grid: grid, faceDrift: dl.map { $0 / grid.spacing },
                      faceDiffusion: [Double](repeating: d, count: grid.count - 1),
                      cellPeclet: dl.map { $0 / d })
    }

    /// General drift `b(x)` and diffusion `D(x) = σ(x)²/2 > 0` (docs/THEORY.md §7.1, §7.3):
    ///
    ///     B_{j+½} = (D(x_{j+1}) − D(x_j))/Δx − b(x_{j+½}),   C_{j+½} = D(x_{j+½})
    ///
    /// Throws ``ConfigurationError`` if `b` or `D` is not finite, or `D ≤ 0`, at a node or face.
    public init(grid: Grid1D, drift: (Double) -> Double, diffusion: (Double) -> Double) throws {
        let n = grid.count, dx = grid.spacing
        var dNode = [Double](repeating: 0, count: n)
        for j in 0..<n {
            dNode[j] = diffusion(grid[j])
            guard dNode[j].isFinite, dNode[j] > 0 else {
                throw ConfigurationError(field: "diffusion", "must be positive and finite on the grid; D(\(grid[j])) = \(dNode[j])")
            }
        }
        var b = [Double](repeating: 0, count: n - 1), c = b
        for j in 0..<(n - 1) {
            let xf = grid.face(j)
            b[j] = (dNode[j + 1] - dNode[j]) / dx - drift(xf)
            c[j] = diffusion(xf)
        }
        try self.init(grid: grid, faceDrift: b, faceDiffusion: c)
    }

    /// From a one-dimensional ``StochasticModel`` `dX = b(X) dt + σ(X) dW` (any number `m` of Brownian
    /// components): `D(x) = ½ Σ_k σ_k(x)²`, coefficients at `t = 0`, then as ``init(grid:drift:diffusion:)``.
    ///
    /// Throws ``ConfigurationError`` (field `model`) unless `model.dimension == 1`, and as the general
    /// initialiser when `D ≤ 0` somewhere on the grid.
    public init<M: StochasticModel>(grid: Grid1D, model: M) throws {
        guard model.dimension == 1 else {
            throw ConfigurationError(field: "model", "must be one-dimensional for a 1-D Fokker–Planck solve; \(model.name) has dimension \(model.dimension)")
        }
        let m = model.brownianDimension
        var x = [0.0], out = [0.0]
        var e = [Double](repeating: 0, count: m)
        var scratch = ModelScratch()
        try self.init(grid: grid, drift: { v in
            x[0] = v
            model.drift(x, t: 0, into: &out, scratch: &scratch)
            return out[0]
        }, diffusion: { v in
            x[0] = v
            var s = 0.0
            for k in 0..<m {
                e[k] = 1
                model.diffusion(x, t: 0, applyTo: e, into: &out, scratch: &scratch)
                e[k] = 0
                s += out[0] * out[0]
            }
            return 0.5 * s
        })
    }

    /// `A p` (the time derivative of the masses).
    public func apply(_ p: Density1D) -> [Double] { generator.multiply(p.masses) }

    /// The stationary law, `A p = 0` with `Σ p = 1`. In 1-D with zero-flux walls this means zero flux on
    /// every face, so it is the detailed-balance recurrence
    ///
    ///     log p_{j+1} = log p_j − w_j,   then p ← p / Σ p
    ///
    /// summed in logarithms (no overflow or underflow before normalising).
    ///
    /// Checks (each skipped when `nil`) throw ``ConfigurationError`` (field `grid`):
    /// - `boundaryTolerance` (default `10⁻⁶`): the mass in the two end cells must not exceed it, else the
    ///   domain is too small for the support;
    /// - `maximumCellPeclet` (default 5): on every face next to a cell with mass above `boundaryTolerance`
    ///   (or `10⁻⁶`), `|w_j| = |Δx B/C|` must not exceed it (the density would change by more than a factor
    ///   `e⁵` per cell: the grid is too coarse to resolve it).
    public func stationary(boundaryTolerance: Double? = 1e-6, maximumCellPeclet: Double? = 5) throws -> Density1D {
        let n = grid.count
        var logp = [Double](repeating: 0, count: n)
        for j in 0..<(n - 1) { logp[j + 1] = logp[j] - cellPeclet[j] }
        let top = logp.max()!
        var p = logp.map { exp($0 - top) }
        let s = p.reduce(0, +)
        for j in 0..<n { p[j] /= s }
        let density = Density1D(grid: grid, masses: p)
        if let tol = boundaryTolerance { try density.checkSupport(tolerance: tol) }
        if let limit = maximumCellPeclet {
            let massive = boundaryTolerance ?? 1e-6
            for j in 0..<(n - 1) where Swift.max(p[j], p[j + 1]) > massive && abs(cellPeclet[j]) > limit {
                throw ConfigurationError(field: "grid", "the grid is too coarse to resolve the stationary density: cell Péclet number |Δx·B/C| = \(abs(cellPeclet[j])) (> \(limit)) at x = \(grid.face(j)) where the mass is \(Swift.max(p[j], p[j + 1])); use Δx ≤ \(grid.spacing * limit / abs(cellPeclet[j]))")
            }
        }
        return density
    }

    /// The factorisation of `I − Δt A`; one implicit Euler step is `lu.solve(&p)` (in place, `O(n)`,
    /// no allocation, exactly mass- and sign-preserving up to round-off in the sums).
    /// Throws ``ConfigurationError`` (field `timeStep`) unless `Δt > 0` is finite.
    public func implicitEuler(timeStep dt: Double) throws -> TridiagonalLU {
        guard dt.isFinite, dt > 0 else {
            throw ConfigurationError(field: "timeStep", "must be a positive finite number, got \(dt)")
        }
        return try generator.identityMinus(dt).factorized()
    }

    /// Implicit Euler from `initial` for `steps` steps of `Δt`, saving every `saveEvery` steps (and the
    /// last). Time is `t_k = k Δt`. The status is ``DensityStatus/domainTooSmall(mass:tolerance:step:)`` at
    /// the first step whose end-cell mass exceeds `boundaryTolerance` (the zero-flux walls then act on
    /// the law); the run continues and the maximum is reported.
    ///
    /// Throws ``ConfigurationError`` for `Δt ≤ 0`, `steps < 0`, `saveEvery < 1`, or an initial law on
    /// another grid.
    ///
    /// `progress`, when given, is called with `(k, steps)` about a thousand times over the run (every
    /// `⌈steps/1000⌉` steps) and after the last step; it changes no number.
    public func evolve(_ initial: Density1D, timeStep dt: Double, steps: Int, saveEvery: Int = 1,
                       boundaryTolerance: Double = 1e-6,
                       progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> DensityEvolution<Density1D> {
        guard initial.grid == grid else {
            throw ConfigurationError(field: "initial", "must live on the solver's grid \(grid), got \(initial.grid)")
        }
        guard steps >= 0 else { throw ConfigurationError(field: "steps", "must be non-negative, got \(steps)") }
        guard saveEvery >= 1 else { throw ConfigurationError(field: "saveEvery", "must be at least 1, got \(saveEvery)") }
        let lu = try implicitEuler(timeStep: dt)
        var p = initial.masses
        let n = grid.count
        var out = DensityEvolution<Density1D>(steps: [0], times: [0], densities: [initial],
                                              maximumBoundaryMass: initial.boundaryMass,
                                              minimumMass: initial.minimumMass)
        if initial.boundaryMass > boundaryTolerance {
            out.status = .domainTooSmall(mass: initial.boundaryMass, tolerance: boundaryTolerance, step: 0)
        }
        if steps == 0 { return out }
        let reportEvery = Swift.max(1, steps / 1000)
        for k in 1...steps {
            lu.solve(&p)
            if let progress, k % reportEvery == 0 || k == steps { progress(k, steps) }
            let edge = p[0] + p[n - 1]
            if edge > out.maximumBoundaryMass { out.maximumBoundaryMass = edge }
            if edge > boundaryTolerance && out.status == .ok {
                out.status = .domainTooSmall(mass: edge, tolerance: boundaryTolerance, step: k)
            }
            var low = p[0]
            for j in 1..<n where p[j] < low { low = p[j] }
            if low < out.minimumMass { out.minimumMass = low }
            if k % saveEvery == 0 || k == steps {
                out.steps.append(k)
                out.times.append(Double(k) * dt)
                out.densities.append(Density1D(grid: grid, masses: p))
            }
        }
        return out
    }
}
