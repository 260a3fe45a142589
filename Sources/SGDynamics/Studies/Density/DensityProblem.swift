import Foundation

/// A resolved one-dimensional problem of the density studies: a finite sum of per-sample
/// quadratics (SGD has real minibatch noise) or a deterministic objective (SGLD and Langevin only).
public struct DensityProblem: @unchecked Sendable {
    /// Short name (`bernoulli`, `shifted-quadratics`, `double-well`, …).
    public let name: String
    /// One line for the output: the formula and its parameters.
    public let label: String
    public let finiteSum: LeastSquares?
    public let deterministic: (any Objective)?
    /// The minimizer θ* (for a double well, one of the two).
    public let minimizer: Double
    public let isBernoulli: Bool

    public var objective: any Objective { finiteSum ?? deterministic! }
    public func value(_ x: Double) -> Double { objective.value([x]) }

    /// `f''(θ*)`.
    public var curvature: Double {
        var hv = [0.0]
        objective.hessianVectorProduct([minimizer], [1], into: &hv)
        return hv[0]
    }

    /// Per-sample `∇f_i(θ) = h_i θ − g_i` (finite sums only).
    public var samples: (h: [Double], g: [Double])? {
        guard let ls = finiteSum else { return nil }
        let n = ls.sampleCount
        let a = (0..<n).map { ls.design[$0, 0] }
        return (a.map { $0 * $0 }, (0..<n).map { a[$0] * ls.targets[$0] })
    }

    /// `σ² = c Σ(θ*)`: the variance of one minibatch gradient at θ* (docs/THEORY.md §2.2); 0 without
    /// a finite sum.
    public func stepNoiseVariance(batchSize b: Int, sampling: Sampling) -> Double {
        guard let ls = finiteSum else { return 0 }
        var m = Matrix(rows: 1, columns: 1)
        ls.noiseCovariance([minimizer], into: &m)
        return sampling.covarianceFactor(batchSize: b, sampleCount: ls.sampleCount) * m[0, 0]
    }

    /// The exact SGD (or SGLD at `temperature`) chain over `batches` (finite sums only).
    public func chain(batches: MinibatchEnumeration, learningRate eta: Double, temperature: Double = 0) -> AffineChain? {
        guard let (h, g) = samples else { return nil }
        return AffineChain(curvatures: h, targets: g, batches: batches, learningRate: eta, temperature: temperature)
    }

    /// `f_i(θ) = ½ λ_i (θ − c_i)²` as a 1-D least-squares problem (`a_i = √λ_i`, `y_i = √λ_i c_i`),
    /// so that the library's exact noise covariance and minibatch machinery apply.
    public static func shiftedQuadratics(centers: [Double], curvatures: [Double], name: String) -> LeastSquares {
        let a = curvatures.map { $0.squareRoot() }
        return LeastSquares(A: Matrix(rows: a.count, columns: 1, storage: a), y: zip(a, centers).map { $0 * $1 }, name: name)
    }

    /// Where `f − f(θ*) < level·T` around θ*, found by stepping outwards by `scale/8` (the Gibbs law
    /// at temperature `T` has mass below about `e^{−level}` beyond).
    public func gibbsExtent(temperature t: Double, scale: Double, level: Double) -> ClosedRange<Double> {
        let f0 = value(minimizer)
        func edge(_ dir: Double) -> Double {
            var x = minimizer
            for _ in 0..<400_000 {
                x += dir * scale / 8
                if value(x) - f0 > level * t { break }
            }
            return x
        }
        return edge(-1)...edge(1)
    }
}
