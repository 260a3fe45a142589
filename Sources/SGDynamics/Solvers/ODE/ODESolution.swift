/// The result of an ODE solve: states at the requested save times, a status and counters.
public struct ODESolution: Sendable {
    /// How the solve ended.
    public enum Status: Sendable, Equatable {
        case success
        /// The state turned non-finite or exceeded the divergence bound at this time.
        case diverged(time: Double)
        /// The adaptive solver hit its step budget (or its step size underflowed) at this time.
        case stepLimit(time: Double)
    }
    public var times: [Double]
    public var states: [[Double]]
    public var status: Status
    /// Accepted steps.
    public var steps: Int
    /// Rejected steps (adaptive solvers).
    public var rejectedSteps: Int
    /// Drift evaluations.
    public var driftEvaluations: Int
    /// Interpolant over the whole solve (adaptive solvers with dense output switched on).
    public var denseOutput: DenseOutput? = nil

    /// The last saved state.
    public var final: [Double] { states.last ?? [] }
}

/// An ODE problem `ẋ = b(x, t)`, `x(t₀) = x₀`, saved at given times (SciML-style problem value).
public struct ODEProblem<M: Model>: Sendable {
    public let model: M
    public let initialState: [Double]
    public let startTime: Double
    /// Times at which to save, ascending, all ≥ `startTime`.
    public let saveTimes: [Double]
    public init(model: M, initialState: [Double], startTime: Double = 0, saveTimes: [Double]) {
        precondition(initialState.count == model.dimension, "initial state has the wrong dimension")
        self.model = model
        self.initialState = initialState
        self.startTime = startTime
        self.saveTimes = saveTimes
    }
}
