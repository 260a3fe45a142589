import Foundation

/// Sharpness along a gradient-descent run (edge of stability): `λ_max(∇²f(x_k))` every `every` steps,
/// with GD's stability line `2/η` (docs/THEORY.md §10.1).
///
///     x_{k+1} = x_k − η ∇f(x_k),   sharpness_k = λ_max(∇²f(x_k))   (Lanczos on Hessian-vector products)
///
/// On a quadratic the sharpness is constant and GD is stable iff it stays below `2/η`. On non-convex
/// losses full-batch GD typically sharpens until `λ_max ≈ 2/η` and then hovers there while the loss
/// keeps falling, non-monotonically (Cohen et al.); ``Result/firstCrossing`` marks the first recorded step
/// with `λ_max ≥ 2/η`.
/// - Reference: J. Cohen, S. Kaur, Y. Li, J. Z. Kolter, A. Talwalkar, *Gradient descent on neural
///   networks typically occurs at the edge of stability*, ICLR 2021.
public struct SharpnessTrace: Sendable {
    /// Loss, gradient norm and sharpness at one recorded step.
    public struct Point: Sendable {
        public var step: Int
        public var loss: Double
        public var gradientNorm: Double
        /// `λ_max(∇²f(x_k))` (largest Lanczos Ritz value).
        public var sharpness: Double
    }

    /// The trace of one run and where it crossed GD's stability line `2/η`.
    public struct Result: Sendable {
        public var learningRate: Double
        /// `2/η`.
        public var threshold: Double
        public var points: [Point]
        /// First recorded step with `sharpness ≥ 2/η`.
        public var firstCrossing: Int?
        /// Step at which the run diverged (``DivergenceRule``), if it did.
        public var divergedAt: Int?
    }

    public var steps: Int
    public var every: Int
    /// Lanczos steps (Hessian-vector products) per sharpness evaluation.
    public var lanczosSteps: Int
    public var divergence: DivergenceRule

    /// Throws ``ConfigurationError`` for `steps < 0`, `every < 1` or `lanczosSteps < 1`.
    public init(steps: Int, every: Int = 1, lanczosSteps: Int = 30, divergence: DivergenceRule = DivergenceRule()) throws {
        guard steps >= 0 else { throw ConfigurationError(field: "steps", "must be non-negative, got \(steps)") }
        guard every >= 1 else { throw ConfigurationError(field: "every", "must be at least 1, got \(every)") }
        guard lanczosSteps >= 1 else {
            throw ConfigurationError(field: "lanczosSteps", "must be at least 1, got \(lanczosSteps)")
        }
        self.steps = steps
        self.every = every
        self.lanczosSteps = lanczosSteps
        self.divergence = divergence
    }

    /// Run GD at learning rate `η` from `start` and record the sharpness. Throws
    /// ``ConfigurationError`` for `η ≤ 0` or a start of the wrong length.
    public func run<F: Objective>(_ f: F, learningRate eta: Double, start: [Double]) throws -> Result {
        guard eta > 0, eta.isFinite else {
            throw ConfigurationError(field: "learningRate", "must be a positive finite number, got \(eta)")
        }
        guard start.count == f.dimension else {
            throw ConfigurationError(field: "start", "must have d = \(f.dimension) entries, got \(start.count)")
        }
        let gd = GradientDescent(f, learningRate: eta)
        var s = gd.makeState(start: start)
        let rng = CounterRNG(seed: 0)
        var points: [Point] = []
        var crossing: Int? = nil
        var k = 0
        while true {
            if k % every == 0 || k == steps {
                let lam = f.hessianExtremeEigenvalues(at: s.position, steps: lanczosSteps).largest
                f.gradient(s.position, into: &s.gradient)
                points.append(Point(step: k, loss: f.value(s.position), gradientNorm: Vec.norm(s.gradient), sharpness: lam))
                if crossing == nil && lam >= 2 / eta { crossing = k }
            }
            if k == steps { break }
            gd.step(&s, rng: rng, path: 0)
            k += 1
            if divergence.hasDiverged(s.position) {
                return Result(learningRate: eta, threshold: 2 / eta, points: points, firstCrossing: crossing, divergedAt: k)
            }
        }
        return Result(learningRate: eta, threshold: 2 / eta, points: points, firstCrossing: crossing, divergedAt: nil)
    }
}
