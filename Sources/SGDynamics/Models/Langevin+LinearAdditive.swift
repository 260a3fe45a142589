/// Langevin dynamics on a centred quadratic as a linear SDE, for `ExactLinearStep`.
extension Langevin: LinearAdditiveModel where F == Quadratic {
    /// Requires the quadratic to be centred at 0 (drift `−H x`).
    public var driftMatrix: Matrix {
        precondition(objective.center.allSatisfy { $0 == 0 }, "linear form needs a quadratic centred at 0")
        return objective.hessianMatrix
    }
    public var diffusionCovariance: Matrix { (2 * temperature) * Matrix.identity(dimension) }
}
