import Foundation

extension Matrix {
    /// Matrix exponential `e^A` by scaling and squaring with a diagonal [6/6] Padé approximant.
    ///
    /// `A` is scaled by `2^{-s}` so that `‖A‖₁ 2^{-s} ≤ 1/2`, where the [6/6] Padé error is below double
    /// precision round-off, then squared `s` times.
    /// - Reference: Moler & Van Loan, *Nineteen dubious ways to compute the exponential of a matrix,
    ///   twenty-five years later*, SIAM Review 45 (2003), method 3.
    public func exponential() -> Matrix {
        precondition(isSquare, "exponential needs a square matrix")
        let n = rows
        var norm1 = 0.0
        for j in 0..<n { var s = 0.0; for i in 0..<n { s += abs(self[i, j]) }; norm1 = Swift.max(norm1, s) }
        var s = 0
        var scaledNorm = norm1
        while scaledNorm > 0.5 { scaledNorm /= 2; s += 1 }
        let a = Foundation.pow(2.0, -Double(s)) * self
        // Padé coefficients c_k = (2q−k)! q! / ((2q)! k! (q−k)!), q = 6.
        let c: [Double] = [1, 1.0 / 2, 5.0 / 44, 1.0 / 66, 1.0 / 792, 1.0 / 15840, 1.0 / 665280]
        var power = Matrix.identity(n)
        var num = Matrix.identity(n)
        var den = Matrix.identity(n)
        for k in 1...6 {
            power = power * a
            num = num + c[k] * power
            den = den + ((k % 2 == 0) ? c[k] : -c[k]) * power
        }
        // den is well conditioned for ‖A‖ ≤ 1/2.
        var e = (try? LUDecomposition(den).solve(num)) ?? Matrix.identity(n)
        for _ in 0..<s { e = e * e }
        return e
    }
}
