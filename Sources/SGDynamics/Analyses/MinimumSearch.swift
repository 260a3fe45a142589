/// The minimum of an objective at which a study measures, found the cheapest exact way available:
///
/// * the closed form when the objective knows its minimizer (least squares: `w* = H̄⁻¹c̄`);
/// * ``DampedNewton`` from the start when `d ≤ newtonLimit` (default 100 iterations, relative
///   gradient tolerance 10⁻¹⁰);
/// * otherwise `iterations` steps of gradient descent `x ← x − η∇f(x)` (default 500) at
///   `η = learningRate`, or `1/λ_max(∇²f(start))` (docs/THEORY.md §10.1: GD is stable for η < 2/λ_max).
///
///     let m = try MinimumSearch().minimum(f, knownMinimizer: nil, start: x0)
///     m.description   // "the minimum (damped Newton, 8 iterations)"
public struct MinimumSearch: Sendable, Equatable {
    /// How the point was found.
    public enum Method: Sendable, Equatable {
        case closedForm
        case dampedNewton(iterations: Int)
        case gradientDescent(steps: Int, learningRate: Double)
    }

    /// The point and how it was found.
    public struct Result: Sendable, Equatable {
        public var x: [Double]
        public var method: Method
        /// False when damped Newton stopped before its gradient tolerance.
        public var converged: Bool

        /// "the minimum (closed form)", "the minimum (damped Newton, 8 iterations)",
        /// "an approximate minimum (GD, 500 steps at η = 0.921)".
        public var description: String {
            switch method {
            case .closedForm: return "the minimum (closed form)"
            case .dampedNewton(let it): return "the minimum (damped Newton, \(it) iterations\(converged ? "" : ", not converged"))"
            case .gradientDescent(let steps, let eta): return "an approximate minimum (GD, \(steps) steps at η = \(NumberText.short(eta, 3)))"
            }
        }
    }

    /// Newton or GD iterations (nil: 100 Newton iterations or 500 GD steps).
    public var iterations: Int?
    /// The GD learning rate (nil: 1/λ_max(∇²f(start)), or 0.1 when λ_max ≤ 0).
    public var learningRate: Double?
    /// Largest dimension searched by damped Newton.
    public var newtonLimit: Int = 200

    public init(iterations: Int? = nil, learningRate: Double? = nil) {
        self.iterations = iterations
        self.learningRate = learningRate
    }

    /// The minimum of `f`. Throws ``FiniteSumStudyError`` when gradient descent diverges.
    public func minimum<F: Objective>(_ f: F, knownMinimizer: [Double]?, start: [Double]) throws -> Result {
        if let m = knownMinimizer { return Result(x: m, method: .closedForm, converged: true) }
        if f.dimension <= newtonLimit {
            // A non-negative count cannot make the initializer throw.
            let newton = try DampedNewton(maxIterations: Swift.max(0, iterations ?? 100))
            let r = newton.minimize(f, from: start)
            return Result(x: r.x, method: .dampedNewton(iterations: r.iterations), converged: r.converged)
        }
        let lmax = f.hessianExtremeEigenvalues(at: start).largest
        let eta = learningRate ?? (lmax > 0 ? 1 / lmax : 0.1)
        let steps = iterations ?? 500
        let gd = GradientDescent(f, learningRate: eta)
        var state = gd.makeState(start: start)
        let rng = CounterRNG(seed: 0)
        for _ in 0..<steps {
            gd.step(&state, rng: rng, path: 0)
            if !Vec.allFinite(state.position) {
                throw FiniteSumStudyError("GD towards the minimum diverged at η = \(NumberText.short(eta)); give a smaller fitEta (--fit-eta)")
            }
        }
        return Result(x: state.position, method: .gradientDescent(steps: steps, learningRate: eta), converged: true)
    }
}
