/// A finite-sum objective of the catalogue, `f = (1/n) Σᵢ fᵢ` (docs/THEORY.md §2.1): the objectives
/// whose per-sample gradients (and, for least squares and logistic regression, Hessians) the
/// `noise` and `stability` studies use.
public enum FiniteSumName: String, Codable, Sendable, CaseIterable {
    /// `½(xᵢᵀw − yᵢ)²` on the bundled diabetes data (or a CSV); the minimizer in closed form.
    case leastSquares = "least-squares"
    /// Logistic regression with an L2 term on breast_cancer (or a CSV with a 0/1 target).
    case logistic
    /// A one-hidden-layer tanh classifier on digits (or a CSV).
    case mlp
    /// A per-sample formula fᵢ(w) over the rows of a CSV (``ExpressionFiniteSum``).
    case samples

    /// The L2 weight used when none is given: 0.01 for logistic regression (with λ = 0
    /// breast_cancer is separable and has no minimum), 10⁻⁴ for the MLP, none for least squares.
    public var defaultL2: Double? {
        switch self {
        case .leastSquares, .samples: return nil
        case .logistic: return 0.01
        case .mlp: return 1e-4
        }
    }
}
