import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport

// Shared pieces of the density commands `fokker-planck`, `master` and `stationary`.

/// One axis of `--grid lower:upper:count`.
struct GridAxis: Equatable {
    var lower: Double
    var upper: Double
    var count: Int

    var grid: Grid1D { get throws { try Grid1D(lower: lower, upper: upper, count: count) } }
    var spacing: Double { (upper - lower) / Double(count - 1) }
    var text: String { "\(fmt(lower, 6)):\(fmt(upper, 6)):\(count)" }
}

/// Parse `lower:upper:count` per axis, axes separated by commas (`-3:3:121` or `-2:2:81,-2:2:81`).
func parseGrid(_ text: String, field: String = "--grid", maximumAxes: Int = 2) throws -> [GridAxis] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    guard parts.count <= maximumAxes else {
        throw CLIError.usage(field, "\(parts.count) axes given; this command supports \(maximumAxes == 1 ? "1-D grids (lower:upper:count)" : "1-D (lower:upper:count) and 2-D (lower:upper:count,lower:upper:count) grids")")
    }
    var axes: [GridAxis] = []
    for p in parts {
        let f = p.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard f.count == 3, let lo = Double(f[0]), let hi = Double(f[1]) else {
            throw CLIError.usage(field, "'\(p)' is not lower:upper:count (for example -3:3:121)")
        }
        guard let n = Int(f[2]) else { throw CLIError.usage(field, "the node count in '\(p)' must be an integer ≥ 3, got '\(f[2])'") }
        guard lo.isFinite, hi.isFinite, lo < hi else {
            throw CLIError.usage(field, "needs finite lower < upper on every axis, got '\(p)'")
        }
        guard n >= 3 else { throw CLIError.usage(field, "needs at least 3 nodes per axis, got \(n) in '\(p)'") }
        guard n <= 2_000_001 else { throw CLIError.usage(field, "at most 2000001 nodes per axis, got \(n)") }
        axes.append(GridAxis(lower: lo, upper: hi, count: n))
    }
    return axes
}

/// Run `body`, turning the library's ``ConfigurationError`` into a usage error naming the CLI option.
func naming<T>(_ fields: [String: String], _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as ConfigurationError {
        let defaults = ["grid": "--grid", "grid.count": "--grid", "grid.spacing": "--grid", "learningRate": "--learning-rate",
                        "batchSize": "--batch-size", "sampling": "--sampling", "tolerance": "--tolerance",
                        "maximumIterations": "--max-iterations", "timeStep": "--dt", "steps": "--steps",
                        "sampleCount": "--objective", "objective": "--objective", "potential": "--objective",
                        "momentum": "--momentum"]
        let f = fields[e.field] ?? defaults[e.field] ?? (e.field.hasPrefix("--") ? e.field : "--" + e.field)
        throw CLIError.usage(f, e.message)
    }
}

/// Check that an option is a finite number (ArgumentParser accepts "nan" and "inf" for `Double`).
func requireFinite(_ v: Double?, _ field: String) throws {
    if let v, !v.isFinite { throw ValidationError.field(field, "must be a finite number, got \(v)") }
}

// MARK: one-dimensional objectives

/// `f_i(θ) = ½ λ_i (θ − c_i)²` as a 1-D least-squares problem (`a_i = √λ_i`, `y_i = √λ_i c_i`), so that
/// the library's exact noise covariance and minibatch machinery apply.
func shiftedQuadratics(centers: [Double], curvatures: [Double], name: String) -> LeastSquares {
    let a = curvatures.map { $0.squareRoot() }
    return LeastSquares(A: Matrix(rows: a.count, columns: 1, storage: a), y: zip(a, centers).map { $0 * $1 }, name: name)
}

/// A one-dimensional objective of the density commands: a finite sum of per-sample quadratics (SGD has
/// real minibatch noise) or a deterministic catalog objective (SGLD, Langevin only).
struct DensityObjective {
    /// Short name (`bernoulli`, `shifted-quadratics`, `double-well`, …).
    let name: String
    /// One line for the output: the formula and its parameters.
    let label: String
    let finiteSum: LeastSquares?
    let deterministic: (any Objective)?
    /// The minimizer θ* (for a double well, one of the two).
    let minimizer: Double
    let isBernoulli: Bool

    var objective: any Objective { finiteSum ?? deterministic! }
    func value(_ x: Double) -> Double { objective.value([x]) }
    func gradient(_ x: Double) -> Double { objective.gradient([x])[0] }
    /// `f''(θ*)`.
    var curvature: Double {
        var hv = [0.0]
        objective.hessianVectorProduct([minimizer], [1], into: &hv)
        return hv[0]
    }

    /// Per-sample `∇f_i(θ) = h_i θ − g_i` (finite sums only).
    var samples: (h: [Double], g: [Double])? {
        guard let ls = finiteSum else { return nil }
        let n = ls.sampleCount
        let a = (0..<n).map { ls.design[$0, 0] }
        return (a.map { $0 * $0 }, (0..<n).map { a[$0] * ls.targets[$0] })
    }

    /// `σ² = c Σ(θ*)`: the variance of one minibatch gradient at θ* (docs/THEORY.md §2.2).
    func stepNoiseVariance(batchSize b: Int, sampling: Sampling) -> Double {
        guard let ls = finiteSum else { return 0 }
        var m = Matrix(rows: 1, columns: 1)
        ls.noiseCovariance([minimizer], into: &m)
        return sampling.covarianceFactor(batchSize: b, sampleCount: ls.sampleCount) * m[0, 0]
    }
}

/// Options choosing a 1-D objective and SGD's learning rate, shared by `master` and `stationary`.
struct OneDimensionalObjectiveOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Worked example: bernoulli (n = 2 samples f_{1,2}(θ) = ½λ(θ ∓ 1)², docs/THEORY.md §8.4). Default when no --objective is given.", valueName: "name"))
    var example: String?

    @Option(name: .customLong("eta-lambda"), parsing: .unconditional, help: ArgumentHelp("ηλ for --example bernoulli, in (0, 2) (default 0.5: SGD's law is Uniform[−1, 1]).", valueName: "ηλ"))
    var etaLambda: Double?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Curvature λ > 0 of the bernoulli example (η = ηλ/λ).", valueName: "λ"))
    var lambda: Double = 1

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("1-D objective: shifted-quadratics (--centers, --curvatures), least-squares (--data with one feature column), or, for sgld only, double-well, quartic, quadratic (--diagonal λ).", valueName: "name"))
    var objective: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Centres c_i of f_i(θ) = ½λ_i(θ − c_i)² for shifted-quadratics.", valueName: "c,…"))
    var centers: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Curvatures λ_i > 0 for shifted-quadratics: one value for all, or one per centre (default 1).", valueName: "λ,…"))
    var curvatures: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("CSV data set (header row, one feature column, last column the target) for least-squares: fᵢ(θ) = ½(xᵢθ − yᵢ)², feature standardized, no intercept.", valueName: "file"))
    var data: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Curvature λ of --objective quadratic (½λθ²).", valueName: "λ"))
    var diagonal: String?

    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: ArgumentHelp("Learning rate η > 0 (not with --example, which takes --eta-lambda).", valueName: "η"))
    var learningRate: Double?

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: ArgumentHelp("Minibatch size b ≥ 1 (≤ n without replacement).", valueName: "b"))
    var batchSize: Int = 1

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Minibatch sampling: without-replacement or with-replacement (reshuffling is not a Markov chain in θ).", valueName: "s"))
    var sampling: String = "without-replacement"

    func validate() throws {
        try requireFinite(etaLambda, "--eta-lambda")
        try requireFinite(learningRate, "--learning-rate")
        guard lambda.isFinite, lambda > 0 else { throw ValidationError.field("--lambda", "must be a positive finite number, got \(lambda)") }
        if let etaLambda, !(etaLambda > 0 && etaLambda < 2) {
            throw ValidationError.field("--eta-lambda", "must lie in (0, 2): SGD on ½λθ² is stable iff 0 < ηλ < 2; got \(etaLambda)")
        }
        if let learningRate, !(learningRate > 0) {
            throw ValidationError.field("--learning-rate", "must be a positive number, got \(learningRate)")
        }
        guard batchSize >= 1 else { throw ValidationError.field("--batch-size", "must be at least 1, got \(batchSize)") }
        guard sampling == "without-replacement" || sampling == "with-replacement" else {
            throw ValidationError.field("--sampling", "must be without-replacement or with-replacement (reshuffling is not a Markov chain in θ), got '\(sampling)'")
        }
        if example != nil && objective != nil {
            throw ValidationError.field("--example", "give either --example or --objective, not both")
        }
        if let example, example != "bernoulli" {
            throw ValidationError.field("--example", "unknown example '\(example)'; valid: bernoulli")
        }
    }

    var samplingRule: Sampling { Sampling(rawValue: sampling)! }

    /// The objective and η. `allowDeterministic`: whether catalog objectives without gradient noise are
    /// acceptable (SGLD).
    func resolve(allowDeterministic: Bool, defaultLearningRate: Double = 0.1) throws -> (DensityObjective, Double) {
        let name = objective ?? "bernoulli"
        if name == "bernoulli" || example != nil {
            if learningRate != nil {
                throw CLIError.usage("--learning-rate", "the bernoulli example takes --eta-lambda (η = ηλ/λ), not --learning-rate")
            }
            let r = etaLambda ?? 0.5
            let ls = shiftedQuadratics(centers: [1, -1], curvatures: [lambda, lambda], name: "bernoulli")
            let label = "bernoulli example: n = 2, f_{1,2}(θ) = ½λ(θ ∓ 1)², λ = \(fmt(lambda, 6)), ηλ = \(fmt(r, 6))"
            return (DensityObjective(name: "bernoulli", label: label, finiteSum: ls, deterministic: nil, minimizer: 0, isBernoulli: true), r / lambda)
        }
        if etaLambda != nil { throw CLIError.usage("--eta-lambda", "applies to --example bernoulli only; use --learning-rate") }
        let eta = learningRate ?? defaultLearningRate
        switch name {
        case "shifted-quadratics":
            guard let centers else { throw CLIError.usage("--centers", "shifted-quadratics needs the sample centres, e.g. --centers -1,0.5,2") }
            let c = try parseNumbers(centers, field: "--centers")
            var l = try curvatures.map { try parseNumbers($0, field: "--curvatures") } ?? [1]
            if l.count == 1 { l = [Double](repeating: l[0], count: c.count) }
            guard l.count == c.count else {
                throw CLIError.usage("--curvatures", "give one curvature or one per centre (\(c.count)), got \(l.count)")
            }
            guard l.allSatisfy({ $0 > 0 }) else { throw CLIError.usage("--curvatures", "every curvature must be positive, got \(l.map { fmt($0) })") }
            let ls = shiftedQuadratics(centers: c, curvatures: l, name: "shifted-quadratics")
            let theta = try ls.minimizer[0]
            let label = "shifted-quadratics: f_i(θ) = ½λ_i(θ − c_i)², n = \(c.count), c = (\(c.map { fmt($0) }.joined(separator: ", "))), λ = (\(l.map { fmt($0) }.joined(separator: ", ")))"
            return (DensityObjective(name: name, label: label, finiteSum: ls, deterministic: nil, minimizer: theta, isBernoulli: false), eta)
        case "least-squares":
            guard let data else { throw CLIError.usage("--data", "least-squares needs a CSV file with one feature column and the target") }
            let set = try Dataset.load(csvAt: data)
            guard set.featureCount == 1 else {
                throw CLIError.usage("--data", "a 1-D least-squares problem needs exactly one feature column (plus the target); '\(data)' has \(set.featureCount)")
            }
            let ls = LeastSquares(dataset: set, standardize: true, intercept: false)
            let theta: Double
            do { theta = try ls.minimizer[0] } catch {
                throw CLIError.usage("--data", "the feature column of '\(data)' is constant; θ* is not unique")
            }
            let label = "least-squares on \(set.name): f_i(θ) = ½(x_iθ − y_i)², n = \(ls.sampleCount), x standardized, no intercept"
            return (DensityObjective(name: name, label: label, finiteSum: ls, deterministic: nil, minimizer: theta, isBernoulli: false), eta)
        case "double-well", "quartic", "quadratic":
            guard allowDeterministic else {
                throw CLIError.usage("--objective", "\(name) has no gradient noise, so SGD is plain GD (a point mass); use shifted-quadratics, least-squares or --example bernoulli, or --algorithm sgld")
            }
            var diag: [Double]? = nil
            if name == "quadratic" {
                diag = try diagonal.map { try parseNumbers($0, field: "--diagonal") }
                guard let d = diag, d.count == 1 else {
                    throw CLIError.usage("--diagonal", "the 1-D quadratic needs one curvature, e.g. --diagonal 1")
                }
            }
            let entry = try ObjectiveCatalog.make(name, diagonal: diag)
            let label = name == "quadratic" ? "quadratic ½λθ², λ = \(fmt(diag![0]))" : "\(name): \(ObjectiveCatalog.names[name] ?? name)"
            return (DensityObjective(name: name, label: label, finiteSum: nil, deterministic: entry.objective,
                                     minimizer: entry.minimizer?[0] ?? 0, isBernoulli: false), eta)
        default:
            throw CLIError.usage("--objective", "'\(name)' is not a 1-D objective of this command; valid: shifted-quadratics, least-squares\(allowDeterministic ? ", double-well, quartic, quadratic" : "")")
        }
    }
}

// MARK: exact moments of affine chains

/// The chain `θ' = a_B θ + b_B + s Z`, `B ~ P(B)`, `Z ~ N(0, 1)` independent: SGD (`s = 0`) or SGLD on
/// per-sample quadratics, `a_B = 1 − η h_B`, `b_B = η g_B` (docs/THEORY.md §6.3, §6.5, §8.4). Its moments
/// follow exactly from `E[(θ')^k] = Σ_j C(k, j) E[a^j β^{k−j}] E[θ^j]`, `β = b + sZ`.
struct AffineChain {
    var a: [Double]
    var b: [Double]
    var p: [Double]
    var noise: Double

    /// The chain of SGD (and SGLD at temperature `T`: `s = √(2ηT)`) over the batches of `batches`.
    init(objective: DensityObjective, batches: MinibatchEnumeration, eta: Double, temperature: Double = 0) {
        let (h, g) = objective.samples!
        a = []; b = []
        for k in 0..<batches.count {
            var sh = 0.0, sg = 0.0
            for i in batches.batch(k) { sh += h[i]; sg += g[i] }
            let m = Double(batches.batchSize)
            a.append(1 - eta * sh / m)
            b.append(eta * sg / m)
        }
        p = batches.probabilities
        noise = (2 * eta * temperature).squareRoot()
    }

    /// A deterministic quadratic `½λθ²` under SGLD: `θ' = (1 − ηλ)θ + √(2ηT) Z`.
    init(curvature: Double, eta: Double, temperature: Double) {
        a = [1 - eta * curvature]; b = [0]; p = [1]
        noise = (2 * eta * temperature).squareRoot()
    }

    func expectation(_ f: (Double, Double) -> Double) -> Double {
        var s = 0.0
        for k in 0..<p.count { s += p[k] * f(a[k], b[k]) }
        return s
    }

    /// `E a^k`.
    func aMoment(_ k: Int) -> Double { expectation { a, _ in pow(a, Double(k)) } }

    /// `E a²` < 1: the second moment converges (mean-square stability, docs/THEORY.md §10.2).
    var meanSquareStable: Bool { aMoment(2) < 1 }
    /// Every map is a contraction.
    var contracting: Bool { a.allSatisfy { abs($0) < 1 } }

    /// `E[a^j (b − (1 − a)c + sZ)^r]`: the maps written for `θ − c`.
    private func mixed(_ j: Int, _ r: Int, shift c: Double) -> Double {
        let z: [Double] = [1, 0, 1, 0, 3]
        return expectation { a, b in
            let bb = b + (a - 1) * c
            var e = 0.0
            for i in 0...r where z[i] != 0 {
                e += binomial(r, i) * pow(bb, Double(r - i)) * pow(noise, Double(i)) * z[i]
            }
            return pow(a, Double(j)) * e
        }
    }

    private func binomial(_ n: Int, _ k: Int) -> Double {
        var c = 1.0
        if k > 0 { for i in 1...k { c = c * Double(n - k + i) / Double(i) } }
        return c
    }

    /// Stationary mean, variance and excess kurtosis (`.infinity` when `E a⁴ ≥ 1`); `nil` unless `E a² < 1`.
    func stationary() -> (mean: Double, variance: Double, excessKurtosis: Double)? {
        guard meanSquareStable else { return nil }
        let m = expectation { _, b in b } / (1 - aMoment(1))
        var raw = [1.0, 0, 0, 0, 0]   // moments of θ − m
        for k in 1...4 {
            let ak = aMoment(k)
            if ak >= 1 { raw[k] = .infinity; continue }
            var s = 0.0
            for j in 0..<k { s += binomial(k, j) * mixed(j, k - j, shift: m) * raw[j] }
            raw[k] = s / (1 - ak)
        }
        let v = raw[2] - raw[1] * raw[1]
        let m1 = raw[1]
        let mu4 = raw[4] - 4 * m1 * raw[3] + 6 * m1 * m1 * raw[2] - 3 * m1 * m1 * m1 * m1
        return (m + m1, v, raw[4].isFinite ? mu4 / (v * v) - 3 : .infinity)
    }

    /// Mean and variance after `k` steps from the point `x0`, for every `k` in `steps` (ascending).
    func transient(from x0: Double, steps: [Int]) -> [(mean: Double, variance: Double)] {
        var m1 = x0, m2 = x0 * x0, k = 0
        var out: [(Double, Double)] = []
        let ea = aMoment(1), ea2 = aMoment(2)
        let eb = mixed(0, 1, shift: 0), eab = mixed(1, 1, shift: 0), eb2 = mixed(0, 2, shift: 0)
        for target in steps {
            while k < target {
                let n2 = ea2 * m2 + 2 * eab * m1 + eb2
                m1 = ea * m1 + eb
                m2 = n2
                k += 1
            }
            out.append((m1, max(m2 - m1 * m1, 0)))
        }
        return out
    }

    /// The smallest interval mapped into itself by every map (the support of the stationary law), when
    /// there is no Gaussian noise and every map is a contraction; `nil` otherwise.
    var invariantInterval: ClosedRange<Double>? {
        guard noise == 0, contracting else { return nil }
        let fixed = zip(a, b).map { $1 / (1 - $0) }
        var lo = fixed.min()!, hi = fixed.max()!
        for _ in 0..<100_000 {
            var nlo = lo, nhi = hi
            for (ak, bk) in zip(a, b) {
                let u = ak * lo + bk, v = ak * hi + bk
                nlo = min(nlo, min(u, v)); nhi = max(nhi, max(u, v))
            }
            let grew = (nhi - hi) + (lo - nlo)
            lo = nlo; hi = nhi
            if grew <= 1e-15 * max(hi - lo, 1e-300) { break }
        }
        return lo...hi
    }
}

// MARK: Gauss–Hermite quadrature

/// Nodes and weights of the `m`-point Gauss–Hermite rule for the standard normal law (Golub–Welsch):
/// `E g(Z) ≈ Σ_q w_q g(z_q)`, exact for polynomials of degree ≤ 2m − 1; `Σ w_q = 1`.
func gaussHermite(_ m: Int) -> (nodes: [Double], weights: [Double]) {
    if m == 1 { return ([0], [1]) }
    var j = Matrix(rows: m, columns: m)
    for k in 0..<(m - 1) {
        let v = Double(k + 1).squareRoot()
        j[k, k + 1] = v
        j[k + 1, k] = v
    }
    let e = SymmetricEigen(j)
    var w = (0..<m).map { e.vectors[0, $0] * e.vectors[0, $0] }
    let s = w.reduce(0, +)
    for q in 0..<m { w[q] /= s }
    return (e.values, w)
}

// MARK: distances, tables, pictures

/// TV, KL (ε-regularised) and W1 between two laws on one 1-D grid.
struct DistanceTriple {
    var tv: Double, kl: Double, w1: Double
    init(_ p: Density1D, _ q: Density1D, regularization: Double = 1e-12) {
        tv = DensityDistance.totalVariation(p, q)
        kl = DensityDistance.kullbackLeibler(p, q, regularization: regularization)
        w1 = DensityDistance.wasserstein1(p, q)
    }
    var json: [String: Any] { ["tv": tv, "kl": kl, "w1": w1] }
}

/// Full-precision text of a number for the tables where digits matter.
func full(_ v: Double) -> String { v.isFinite ? "\(v)" : fmt(v) }

/// One density curve of a picture.
struct Curve {
    var label: String
    var density: Density1D
    var dash: StrokeDash = .solid
    var width: Double = 2
    var color: Color? = nil
}

/// Densities `p_j/Δx` against `x` in one picture.
func densityPicture(title: String, xLabel: String = "θ", curves: [Curve], xDomain: ClosedRange<Double>? = nil,
                    bars: BarSeries? = nil) -> String {
    var plot = LinePlot(title: title, xLabel: xLabel, yLabel: "density")
    if let bars { plot.add(bars) }
    for c in curves {
        plot.add(Series(label: c.label, x: c.density.grid.nodes, y: c.density.densities, color: c.color, dash: c.dash,
                        lineWidth: c.width))
    }
    plot.xDomain = xDomain
    return plot.render(width: 780, height: 500)
}

/// The range of `x` where any of the laws has a density above `fraction` of its peak, padded by 5%.
func visibleRange(_ laws: [Density1D], fraction: Double = 1e-4) -> ClosedRange<Double>? {
    guard let g = laws.first?.grid else { return nil }
    var lo = g.upper, hi = g.lower
    for p in laws {
        let top = p.masses.max() ?? 0
        for j in 0..<g.count where p.masses[j] > fraction * top { lo = min(lo, g[j]); hi = max(hi, g[j]) }
    }
    guard lo < hi else { return nil }
    let pad = 0.05 * (hi - lo)
    return max(g.lower, lo - pad)...min(g.upper, hi + pad)
}

/// CSV of several laws on one grid: `x`, then the density of each.
func densityCSV(_ columns: [(String, Density1D)]) -> String {
    guard let g = columns.first?.1.grid else { return "" }
    var t = TextTable(["x"] + columns.map(\.0))
    let dens = columns.map { $0.1.densities }
    for j in 0..<g.count { t.add(["\(g[j])"] + dens.map { "\($0[j])" }) }
    return t.csv()
}

/// Print a warning line on stderr.
func warn(_ message: String) {
    FileHandle.standardError.write(Data("sgdyn: warning: \(message)\n".utf8))
}

/// A default 1-D grid covering every range in `cover` (their union), with `Δx ≤ resolution/20` and 601 to
/// 20001 nodes.
func defaultGrid(cover: [ClosedRange<Double>], resolution: Double) -> GridAxis {
    let lo = cover.map(\.lowerBound).min()!, hi = cover.map(\.upperBound).max()!
    let needed = Int(((hi - lo) / (resolution / 20)).rounded(.up)) + 1
    return GridAxis(lower: lo, upper: hi, count: min(max(601, needed | 1), 20_001))
}

/// The support padded by a quarter of its width on each side.
func padded(_ s: ClosedRange<Double>) -> ClosedRange<Double> {
    let pad = 0.25 * (s.upperBound - s.lowerBound)
    return (s.lowerBound - pad)...(s.upperBound + pad)
}

/// `m ± k·sd`.
func around(_ m: Double, _ sd: Double, _ k: Double) -> ClosedRange<Double> { (m - k * sd)...(m + k * sd) }

/// Usage error when a reference law computed on the user's grid has noticeable mass in the end cells (it is
/// then cut off by the domain and distances to it would be wrong).
func checkCovers(_ law: Density1D, what: String) throws {
    if law.boundaryMass > 1e-6 {
        throw CLIError.usage("--grid", "the domain [\(fmt(law.grid.lower)), \(fmt(law.grid.upper))] cuts off \(what): mass \(fmt(law.boundaryMass, 3)) in the end cells (> 1e-6); widen lower/upper")
    }
}

/// Usage error unless `Δx` resolves a law of standard deviation `sd` (`Δx ≤ sd/5`).
func checkResolution(_ axis: GridAxis, sd: Double, what: String) throws {
    let limit = sd / 5
    if axis.spacing > limit {
        let nodes = Int(((axis.upper - axis.lower) / limit).rounded(.up)) + 1
        throw CLIError.usage("--grid", "Δx = \(fmt(axis.spacing)) is too coarse for \(what) (standard deviation \(fmt(sd))); use Δx ≤ \(fmt(limit)), i.e. at least \(nodes) nodes on [\(fmt(axis.lower)), \(fmt(axis.upper))]")
    }
}
