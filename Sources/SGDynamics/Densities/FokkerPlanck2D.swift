import Foundation

/// The 2-D Fokker–Planck equation on a ``Grid2D`` with zero-flux walls (docs/THEORY.md §7.1, §7.3), for the
/// Itô SDE `dX = b(X) dt + σ(X) dW` with diffusion matrix `D = ½σσᵀ`:
///
///     ∂_t p = ∇·G,   G_x = (∂_x D_xx − b_x) p + D_xx ∂_x p + ∂_y(D_xy p)
///                    G_y = (∂_y D_yy − b_y) p + D_yy ∂_y p + ∂_x(D_xy p)
///     dp_k/dt = (G_{i+½,j} − G_{i−½,j})/Δx + (G_{i,j+½} − G_{i,j−½})/Δy,   dp/dt = A p
///
/// - Diagonal part: on every x-face and y-face the 1-D Chang–Cooper flux of ``ChangCooper`` with
///   `B = ∂D_ii − b_i` (derivative by differencing `D_ii` at the two cell centres) and `C = D_ii` at the
///   face (5-point stencil). Where `D_ii = 0` on a face the flux is upwind transport.
/// - Cross diffusion `D_xy ≠ 0` (a full matrix `σσᵀ`): the face flux gets the conservative term
///   `∂_y(D_xy p)` on x-faces (and `∂_x(D_xy p)` on y-faces) by a centred difference of `q = D_xy p` at the
///   cell centres, averaged over the two cells of the face (one-sided at the walls):
///
///         ∂_y q|_{i+½,j} ≈ [q_{i,j+1} + q_{i+1,j+1} − q_{i,j−1} − q_{i+1,j−1}]/(4Δy)
///
///   This keeps the scheme conservative (columns of `A` sum to zero, a 9-point stencil), but the
///   cross terms add off-diagonal entries of either sign: **positivity and the exact discrete
///   equilibrium are then not guaranteed** (the equilibrium is correct to `O(Δx² + Δy²)`; evolutions
///   report negative masses in their status).
/// - Without cross terms, `A` has non-negative off-diagonal entries and zero column sums, `I − ΔtA` is an
///   M-matrix (positivity and mass for every `Δt`), and with ``init(grid:diffusion:potential:)`` the
///   equilibrium is the grid Gibbs law `∝ e^{−L/D}` to round-off (detailed balance on every edge).
/// - Solves use ``BandedLU`` (bandwidth `n_x`, or `n_x + 1` with cross terms; cells are ordered x
///   fastest, so put the shorter axis on x). Coefficients are frozen at `t = 0`.
public struct FokkerPlanck2D: Sendable {
    public let grid: Grid2D
    /// The generator `A` (`dp/dt = A p`), compressed by columns.
    public let generator: SparseMatrix
    /// Whether `D_xy ≠ 0` somewhere (then no positivity or exact-equilibrium guarantee).
    public let hasCrossDiffusion: Bool
    /// Cell Péclet numbers `Δx B/C` on the x-faces, index `i + (n_x−1) j` (infinite where `C = 0`).
    public let xFacePeclet: [Double]
    /// Cell Péclet numbers `Δy B/C` on the y-faces, index `i + n_x j` (infinite where `C = 0`).
    public let yFacePeclet: [Double]
    /// The cell pinned in the stationary solve (largest Gibbs weight when known, else the centre).
    let referenceCell: Int

    /// From face coefficients. `xDrift`, `xDiffusion` (and `xPeclet`, if known exactly) on the
    /// `(n_x − 1) n_y` x-faces, index `i + (n_x−1) j`; `y…` on the `n_x (n_y − 1)` y-faces, index `i + n_x j`;
    /// `crossDiffusion` (`D_xy` at the cell centres) or `nil`.
    init(grid: Grid2D, xDrift: [Double], xDiffusion: [Double], xPeclet: [Double]?,
         yDrift: [Double], yDiffusion: [Double], yPeclet: [Double]?,
         crossDiffusion: [Double]?, referenceCell: Int?) throws {
        let nx = grid.x.count, ny = grid.y.count
        let dx = grid.x.spacing, dy = grid.y.spacing
        var t = [(row: Int, column: Int, value: Double)]()
        t.reserveCapacity(grid.count * (crossDiffusion == nil ? 5 : 13))
        for k in 0..<grid.count { t.append((k, k, 0)) }
        func face(_ a: Int, _ c: Int, _ rates: (right: Double, left: Double)) {
            t.append((c, a, rates.right)); t.append((a, a, -rates.right))
            t.append((a, c, rates.left)); t.append((c, c, -rates.left))
        }
        var wx = [Double](repeating: 0, count: (nx - 1) * ny)
        var wy = [Double](repeating: 0, count: nx * (ny - 1))
        for j in 0..<ny {
            for i in 0..<(nx - 1) {
                let f = i + (nx - 1) * j
                let (b, c) = (xDrift[f], xDiffusion[f])
                guard b.isFinite, c.isFinite, c >= 0 else {
                    throw ConfigurationError(field: c >= 0 ? "drift" : "diffusion", "must be finite (diffusion ≥ 0) on the grid; B = \(b), D_xx = \(c) at (\(grid.x.face(i)), \(grid.y[j]))")
                }
                wx[f] = c > 0 ? (xPeclet?[f] ?? dx * b / c) : .infinity
                face(grid.index(i, j), grid.index(i + 1, j),
                     c > 0 ? ChangCooper.rates(peclet: wx[f], diffusion: c, spacing: dx)
                           : ChangCooper.faceRates(drift: b, diffusion: 0, spacing: dx))
            }
        }
        for j in 0..<(ny - 1) {
            for i in 0..<nx {
                let f = i + nx * j
                let (b, c) = (yDrift[f], yDiffusion[f])
                guard b.isFinite, c.isFinite, c >= 0 else {
                    throw ConfigurationError(field: c >= 0 ? "drift" : "diffusion", "must be finite (diffusion ≥ 0) on the grid; B = \(b), D_yy = \(c) at (\(grid.x[i]), \(grid.y.face(j)))")
                }
                wy[f] = c > 0 ? (yPeclet?[f] ?? dy * b / c) : .infinity
                face(grid.index(i, j), grid.index(i, j + 1),
                     c > 0 ? ChangCooper.rates(peclet: wy[f], diffusion: c, spacing: dy)
                           : ChangCooper.faceRates(drift: b, diffusion: 0, spacing: dy))
            }
        }
        var cross = false
        if let q = crossDiffusion {
            for k in 0..<grid.count {
                guard q[k].isFinite else {
                    throw ConfigurationError(field: "diffusion", "D_xy must be finite; it is \(q[k]) at cell \(grid.cell(k))")
                }
                if q[k] != 0 { cross = true }
            }
        }
        if cross, let q = crossDiffusion {
            // x-face (i+½, j): flux term ∂_y(D_xy p), into cell a = (i, j), out of c = (i+1, j).
            func neighbours(_ j: Int, _ n: Int, _ h: Double) -> (lo: Int, hi: Int, scale: Double) {
                if j == 0 { return (0, 1, 1 / (2 * h)) }
                if j == n - 1 { return (n - 2, n - 1, 1 / (2 * h)) }
                return (j - 1, j + 1, 1 / (4 * h))
            }
            for j in 0..<ny {
                let (lo, hi, s) = neighbours(j, ny, dy)
                for i in 0..<(nx - 1) {
                    let a = grid.index(i, j), c = grid.index(i + 1, j)
                    for ii in [i, i + 1] {
                        for (jj, sign) in [(hi, 1.0), (lo, -1.0)] {
                            let m = grid.index(ii, jj)
                            let v = sign * s * q[m] / dx
                            t.append((a, m, v)); t.append((c, m, -v))
                        }
                    }
                }
            }
            // y-face (i, j+½): flux term ∂_x(D_xy p), into a = (i, j), out of c = (i, j+1).
            for i in 0..<nx {
                let (lo, hi, s) = neighbours(i, nx, dx)
                for j in 0..<(ny - 1) {
                    let a = grid.index(i, j), c = grid.index(i, j + 1)
                    for jj in [j, j + 1] {
                        for (ii, sign) in [(hi, 1.0), (lo, -1.0)] {
                            let m = grid.index(ii, jj)
                            let v = sign * s * q[m] / dy
                            t.append((a, m, v)); t.append((c, m, -v))
                        }
                    }
                }
            }
        }
        self.grid = grid
        self.generator = SparseMatrix(rows: grid.count, columns: grid.count, triplets: t)
        self.hasCrossDiffusion = cross
        self.xFacePeclet = wx
        self.yFacePeclet = wy
        self.referenceCell = referenceCell ?? grid.index(nx / 2, ny / 2)
    }

    /// Gradient drift `b = −∇L`, constant scalar diffusion `D` (docs/THEORY.md §7.3, §7.4 case 4):
    ///
    ///     x-face: B = (L_{i+1,j} − L_{i,j})/Δx,   y-face: B = (L_{i,j+1} − L_{i,j})/Δy,   C = D
    ///
    /// Detailed balance holds edge by edge, so the discrete equilibrium is `∝ e^{−L(x_i, y_j)/D}` exactly.
    /// Throws ``ConfigurationError`` for `D ≤ 0` or a non-finite `L` on the grid.
    public init(grid: Grid2D, diffusion d: Double, potential: (Double, Double) -> Double) throws {
        guard d.isFinite, d > 0 else {
            throw ConfigurationError(field: "diffusion", "must be a positive finite number, got \(d)")
        }
        let nx = grid.x.count, ny = grid.y.count
        var l = [Double](repeating: 0, count: grid.count)
        for j in 0..<ny {
            for i in 0..<nx {
                let v = potential(grid.x[i], grid.y[j])
                guard v.isFinite else {
                    throw ConfigurationError(field: "potential", "must be finite on the grid; L(\(grid.x[i]), \(grid.y[j])) = \(v)")
                }
                l[grid.index(i, j)] = v
            }
        }
        var dlx = [Double](), dly = [Double]()
        for j in 0..<ny { for i in 0..<(nx - 1) { dlx.append(l[grid.index(i + 1, j)] - l[grid.index(i, j)]) } }
        for j in 0..<(ny - 1) { for i in 0..<nx { dly.append(l[grid.index(i, j + 1)] - l[grid.index(i, j)]) } }
        let reference = l.indices.min { l[$0] < l[$1] }!
        try self.init(grid: grid,
                      xDrift: dlx.map { $0 / grid.x.spacing }, xDiffusion: [Double](repeating: d, count: dlx.count),
                      xPeclet: dlx.map { $0 / d },
                      yDrift: dly.map { $0 / grid.y.spacing }, yDiffusion: [Double](repeating: d, count: dly.count),
                      yPeclet: dly.map { $0 / d },
                      crossDiffusion: nil, referenceCell: reference)
    }

    /// General drift `b(x, y) = (b_x, b_y)` and symmetric positive semidefinite diffusion matrix
    /// `D(x, y) = ½σσᵀ` given as `(xx, xy, yy)`:
    ///
    ///     x-face (i+½, j):  B = (D_xx(x_{i+1}, y_j) − D_xx(x_i, y_j))/Δx − b_x(x_{i+½}, y_j),   C = D_xx(x_{i+½}, y_j)
    ///     y-face likewise;  D_xy at the cell centres for the cross terms.
    ///
    /// Throws ``ConfigurationError`` if a coefficient is not finite or `D` is not positive semidefinite
    /// (`D_xx, D_yy ≥ 0`, `D_xx D_yy ≥ D_xy²` up to round-off) at a node.
    public init(grid: Grid2D, drift: (Double, Double) -> (x: Double, y: Double),
                diffusion: (Double, Double) -> (xx: Double, xy: Double, yy: Double)) throws {
        let nx = grid.x.count, ny = grid.y.count
        var dxx = [Double](repeating: 0, count: grid.count), dyy = dxx, dxy = dxx
        for j in 0..<ny {
            for i in 0..<nx {
                let d = diffusion(grid.x[i], grid.y[j])
                let k = grid.index(i, j)
                guard d.xx.isFinite, d.yy.isFinite, d.xy.isFinite, d.xx >= 0, d.yy >= 0,
                      d.xx * d.yy - d.xy * d.xy >= -1e-12 * Swift.max(d.xx * d.yy, d.xy * d.xy) else {
                    throw ConfigurationError(field: "diffusion", "must be a finite positive semidefinite matrix; D = (xx: \(d.xx), xy: \(d.xy), yy: \(d.yy)) at (\(grid.x[i]), \(grid.y[j]))")
                }
                dxx[k] = d.xx; dyy[k] = d.yy; dxy[k] = d.xy
            }
        }
        var bx = [Double](), cx = [Double](), by = [Double](), cy = [Double]()
        for j in 0..<ny {
            for i in 0..<(nx - 1) {
                let xf = grid.x.face(i), y = grid.y[j]
                bx.append((dxx[grid.index(i + 1, j)] - dxx[grid.index(i, j)]) / grid.x.spacing - drift(xf, y).x)
                cx.append(diffusion(xf, y).xx)
            }
        }
        for j in 0..<(ny - 1) {
            for i in 0..<nx {
                let x = grid.x[i], yf = grid.y.face(j)
                by.append((dyy[grid.index(i, j + 1)] - dyy[grid.index(i, j)]) / grid.y.spacing - drift(x, yf).y)
                cy.append(diffusion(x, yf).yy)
            }
        }
        try self.init(grid: grid, xDrift: bx, xDiffusion: cx, xPeclet: nil, yDrift: by, yDiffusion: cy, yPeclet: nil,
                      crossDiffusion: dxy, referenceCell: nil)
    }

    /// From a two-dimensional ``StochasticModel``: `b` from its drift and `D = ½σσᵀ` from its diffusion
    /// (any number of Brownian components, full matrix including `D_xy`), both at `t = 0`, then as
    /// ``init(grid:drift:diffusion:)``. Throws ``ConfigurationError`` (field `model`) unless
    /// `model.dimension == 2`.
    public init<M: StochasticModel>(grid: Grid2D, model: M) throws {
        guard model.dimension == 2 else {
            throw ConfigurationError(field: "model", "must be two-dimensional for a 2-D Fokker–Planck solve; \(model.name) has dimension \(model.dimension)")
        }
        let m = model.brownianDimension
        var x = [0.0, 0.0], out = [0.0, 0.0]
        var e = [Double](repeating: 0, count: m)
        var scratch = ModelScratch()
        try self.init(grid: grid, drift: { u, v in
            x[0] = u; x[1] = v
            model.drift(x, t: 0, into: &out, scratch: &scratch)
            return (out[0], out[1])
        }, diffusion: { u, v in
            x[0] = u; x[1] = v
            var sxx = 0.0, sxy = 0.0, syy = 0.0
            for k in 0..<m {
                e[k] = 1
                model.diffusion(x, t: 0, applyTo: e, into: &out, scratch: &scratch)
                e[k] = 0
                sxx += out[0] * out[0]; sxy += out[0] * out[1]; syy += out[1] * out[1]
            }
            return (0.5 * sxx, 0.5 * sxy, 0.5 * syy)
        })
    }

    /// `A p` (the time derivative of the masses).
    public func apply(_ p: Density2D) -> [Double] { generator.multiply(p.masses) }

    /// The stationary law: `A p = 0`, `Σ p = 1`, by a direct banded LU solve of `−A` with the row of a
    /// reference cell `r` replaced by `a_rr e_rᵀ` (pinning `p_r`), then normalised. `r` is the cell of
    /// least potential (potential constructor) or the centre; if `p_r` comes out below `10⁻⁸ max p` the
    /// solve is repeated with `r = argmax p`. Without cross diffusion the solution is non-negative
    /// exactly; with it, check ``GridDensity/minimumMass``.
    ///
    /// Checks as in ``FokkerPlanck1D/stationary(boundaryTolerance:maximumCellPeclet:)``, throwing
    /// ``ConfigurationError`` (field `grid`): rim mass above `boundaryTolerance`; a face with
    /// `|w| > maximumCellPeclet` next to a cell with mass above `boundaryTolerance`.
    /// Throws ``LinearAlgebraError`` if the pinned system is singular (a reducible chain).
    public func stationary(boundaryTolerance: Double? = 1e-6, maximumCellPeclet: Double? = 5) throws -> Density2D {
        var p = try pinnedSolve(referenceCell)
        let top = p.indices.max { p[$0] < p[$1] }!
        if p[referenceCell] < 1e-8 * p[top] { p = try pinnedSolve(top) }
        let s = p.reduce(0, +)
        for k in 0..<p.count { p[k] /= s }
        let density = Density2D(grid: grid, masses: p)
        if let tol = boundaryTolerance { try density.checkSupport(tolerance: tol) }
        if let limit = maximumCellPeclet {
            let massive = boundaryTolerance ?? 1e-6
            let nx = grid.x.count, ny = grid.y.count
            for j in 0..<ny {
                for i in 0..<(nx - 1) {
                    let w = xFacePeclet[i + (nx - 1) * j]
                    let m = Swift.max(p[grid.index(i, j)], p[grid.index(i + 1, j)])
                    if w.isFinite && abs(w) > limit && m > massive {
                        throw ConfigurationError(field: "grid", "the grid is too coarse to resolve the stationary density: cell Péclet number |Δx·B/C| = \(abs(w)) (> \(limit)) on the x-face at (\(grid.x.face(i)), \(grid.y[j])) where the mass is \(m); refine x")
                    }
                }
            }
            for j in 0..<(ny - 1) {
                for i in 0..<nx {
                    let w = yFacePeclet[i + nx * j]
                    let m = Swift.max(p[grid.index(i, j)], p[grid.index(i, j + 1)])
                    if w.isFinite && abs(w) > limit && m > massive {
                        throw ConfigurationError(field: "grid", "the grid is too coarse to resolve the stationary density: cell Péclet number |Δy·B/C| = \(abs(w)) (> \(limit)) on the y-face at (\(grid.x[i]), \(grid.y.face(j))) where the mass is \(m); refine y")
                    }
                }
            }
        }
        return density
    }

    /// Solve `−A p = 0` with row `r` replaced by `a_rr e_rᵀ` and right side `a_rr e_r`.
    func pinnedSolve(_ r: Int) throws -> [Double] {
        let a = generator
        var t = [(row: Int, column: Int, value: Double)]()
        t.reserveCapacity(a.nonzeroCount)
        let arr = -a[r, r]
        let pin = arr > 0 ? arr : 1
        for j in 0..<a.columns {
            for k in a.columnStart[j]..<a.columnStart[j + 1] where a.rowIndices[k] != r {
                t.append((a.rowIndices[k], j, -a.values[k]))
            }
        }
        t.append((r, r, pin))
        let lu = try BandedLU(SparseMatrix(rows: a.rows, columns: a.columns, triplets: t))
        var p = [Double](repeating: 0, count: a.rows)
        p[r] = pin
        lu.solve(&p)
        return p
    }

    /// The banded LU factors of `I − Δt A`; one implicit Euler step is `lu.solve(&p)` (in place, no
    /// allocation). Throws ``ConfigurationError`` (field `timeStep`) unless `Δt > 0` is finite.
    public func implicitEuler(timeStep dt: Double) throws -> BandedLU {
        guard dt.isFinite, dt > 0 else {
            throw ConfigurationError(field: "timeStep", "must be a positive finite number, got \(dt)")
        }
        let a = generator
        var t = [(row: Int, column: Int, value: Double)]()
        t.reserveCapacity(a.nonzeroCount + a.rows)
        for j in 0..<a.columns {
            t.append((j, j, 1))
            for k in a.columnStart[j]..<a.columnStart[j + 1] { t.append((a.rowIndices[k], j, -dt * a.values[k])) }
        }
        return try BandedLU(SparseMatrix(rows: a.rows, columns: a.columns, triplets: t))
    }

    /// Implicit Euler from `initial` for `steps` steps of `Δt`, saving every `saveEvery` steps (and the
    /// last), `t_k = k Δt`. Status: ``DensityStatus/domainTooSmall(mass:tolerance:step:)`` at the first
    /// step whose rim mass exceeds `boundaryTolerance`, else ``DensityStatus/negativeMass(minimum:step:)``
    /// at the first negative cell mass (only possible with cross diffusion). Throws
    /// ``ConfigurationError`` for `Δt ≤ 0`, `steps < 0`, `saveEvery < 1` or an initial law on another grid.
    ///
    /// `progress`, when given, is called with `(k, steps)` about a thousand times over the run (every
    /// `⌈steps/1000⌉` steps) and after the last step; it changes no number.
    public func evolve(_ initial: Density2D, timeStep dt: Double, steps: Int, saveEvery: Int = 1,
                       boundaryTolerance: Double = 1e-6,
                       progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> DensityEvolution<Density2D> {
        guard initial.grid == grid else {
            throw ConfigurationError(field: "initial", "must live on the solver's grid \(grid), got \(initial.grid)")
        }
        guard steps >= 0 else { throw ConfigurationError(field: "steps", "must be non-negative, got \(steps)") }
        guard saveEvery >= 1 else { throw ConfigurationError(field: "saveEvery", "must be at least 1, got \(saveEvery)") }
        let lu = try implicitEuler(timeStep: dt)
        var p = initial.masses
        var out = DensityEvolution<Density2D>(steps: [0], times: [0], densities: [initial],
                                              maximumBoundaryMass: initial.boundaryMass,
                                              minimumMass: initial.minimumMass)
        if initial.boundaryMass > boundaryTolerance {
            out.status = .domainTooSmall(mass: initial.boundaryMass, tolerance: boundaryTolerance, step: 0)
        }
        if steps == 0 { return out }
        let nx = grid.x.count, ny = grid.y.count
        let reportEvery = Swift.max(1, steps / 1000)
        for k in 1...steps {
            lu.solve(&p)
            if let progress, k % reportEvery == 0 || k == steps { progress(k, steps) }
            var rim = 0.0, low = Double.infinity
            p.withUnsafeBufferPointer { q in
                for c in 0..<q.count where q[c] < low { low = q[c] }
                for i in 0..<nx { rim += q[i] + q[i + nx * (ny - 1)] }
                for j in 1..<(ny - 1) { rim += q[nx * j] + q[nx * j + nx - 1] }
            }
            if rim > out.maximumBoundaryMass { out.maximumBoundaryMass = rim }
            if low < out.minimumMass { out.minimumMass = low }
            if out.status == .ok {
                if rim > boundaryTolerance {
                    out.status = .domainTooSmall(mass: rim, tolerance: boundaryTolerance, step: k)
                } else if low < 0 {
                    out.status = .negativeMass(minimum: low, step: k)
                }
            }
            if k % saveEvery == 0 || k == steps {
                out.steps.append(k)
                out.times.append(Double(k) * dt)
                out.densities.append(Density2D(grid: grid, masses: p))
            }
        }
        return out
    }
}
