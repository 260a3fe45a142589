import Foundation

/// Binary logistic regression with L2 regularization, as a finite sum:
///
///     fᵢ(w) = log(1 + e^{zᵢ}) − yᵢ zᵢ + (λ/2)‖w‖²,   zᵢ = xᵢᵀw,   yᵢ ∈ {0, 1}
///     ∇fᵢ(w) = (σ(zᵢ) − yᵢ) xᵢ + λ w,                 σ(z) = 1/(1 + e^{−z})
///     ∇²f(w) v = (1/n) Σᵢ σ(zᵢ)(1 − σ(zᵢ)) (xᵢᵀv) xᵢ + λ v
///
/// `log(1 + e^z)` is evaluated as `max(z, 0) + log1p(e^{−|z|})`, finite for every finite `z`; σ is
/// evaluated without overflow on either side. The regularizer acts on every weight, the intercept
/// included. The Hessian-vector product is exact and costs O(nd).
public struct LogisticRegression: FiniteSumObjective {
    /// The `n × d` feature matrix (row `i` is `xᵢᵀ`).
    public let features: Matrix
    /// The labels `yᵢ ∈ {0, 1}`.
    public let labels: [Double]
    /// The L2 weight `λ ≥ 0`.
    public let regularization: Double
    public var name: String

    public var dimension: Int { features.columns }
    public var sampleCount: Int { features.rows }
    public var hasExactHessian: Bool { true }

    /// Logistic regression on the rows of `features` with labels in {0, 1}. Throws
    /// ``DatasetError/invalidTarget(dataset:row:column:value:expected:)`` for any other label.
    public init(
        features: Matrix, labels: [Double], regularization: Double = 0,
        name: String = "logistic", targetName: String = "target"
    ) throws {
        precondition(features.rows >= 1, "LogisticRegression: need at least one sample")
        precondition(features.rows == labels.count,
                     "LogisticRegression: \(features.rows) feature rows but \(labels.count) labels")
        precondition(regularization >= 0 && regularization.isFinite,
                     "LogisticRegression: regularization must be finite and ≥ 0")
        for (i, y) in labels.enumerated() where y != 0 && y != 1 {
            throw DatasetError.invalidTarget(dataset: name, row: i, column: targetName, value: y, expected: "a label 0 or 1")
        }
        self.features = features
        self.labels = labels
        self.regularization = regularization
        self.name = name
    }

    /// Logistic regression on a data set whose target column holds labels 0/1. By default the
    /// features are standardized (``Dataset/standardized()``) and a column of ones is appended
    /// (``Dataset/withInterceptColumn()``), so the last weight is the intercept.
    public init(dataset: Dataset, regularization: Double = 0, standardize: Bool = true, intercept: Bool = true) throws {
        var data = standardize ? dataset.standardized() : dataset
        if intercept { data = data.withInterceptColumn() }
        // Errors name the data set; the objective is then renamed.
        try self.init(features: data.features, labels: data.targets, regularization: regularization,
                      name: dataset.name, targetName: dataset.targetName)
        self.name = "logistic(\(dataset.name))"
    }

    /// `log(1 + e^z)`, stable for all finite `z`.
    @inlinable
    public static func softplus(_ z: Double) -> Double {
        Swift.max(z, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(z)))
    }

    /// `σ(z) = 1/(1 + e^{−z})`, without overflow.
    @inlinable
    public static func sigmoid(_ z: Double) -> Double {
        if z >= 0 { return 1 / (1 + Foundation.exp(-z)) }
        let e = Foundation.exp(z)
        return e / (1 + e)
    }

    /// `zᵢ = xᵢᵀw`.
    @inlinable
    public func logit(_ i: Int, _ w: [Double]) -> Double {
        let d = dimension
        return features.storage.withUnsafeBufferPointer { a in
            w.withUnsafeBufferPointer { wp in
                var s = 0.0
                let row = i * d
                for j in 0..<d { s += a[row + j] * wp[j] }
                return s
            }
        }
    }

    /// Fraction of samples with `(zᵢ > 0) == (yᵢ == 1)`.
    public func accuracy(_ w: [Double]) -> Double {
        var correct = 0
        for i in 0..<sampleCount where (logit(i, w) > 0) == (labels[i] == 1) { correct += 1 }
        return Double(correct) / Double(sampleCount)
    }

    public func sampleValue(_ i: Int, _ w: [Double]) -> Double {
        let z = logit(i, w)
        return Self.softplus(z) - labels[i] * z + 0.5 * regularization * Vec.dot(w, w)
    }

    public func value(_ w: [Double]) -> Double {
        var s = 0.0
        for i in 0..<sampleCount {
            let z = logit(i, w)
            s += Self.softplus(z) - labels[i] * z
        }
        return s / Double(sampleCount) + 0.5 * regularization * Vec.dot(w, w)
    }

    public func addSampleGradient(_ i: Int, _ w: [Double], scale: Double, into g: inout [Double]) {
        let d = dimension
        let r = scale * (Self.sigmoid(logit(i, w)) - labels[i])
        let sl = scale * regularization
        features.storage.withUnsafeBufferPointer { a in
            w.withUnsafeBufferPointer { wp in
                g.withUnsafeMutableBufferPointer { gp in
                    let row = i * d
                    for j in 0..<d { gp[j] += r * a[row + j] + sl * wp[j] }
                }
            }
        }
    }

    /// `g ← ∇f(w)` in one pass over the samples (the regularizer added once).
    public func gradient(_ w: [Double], into g: inout [Double]) {
        let n = sampleCount, d = dimension
        for j in 0..<d { g[j] = regularization * w[j] }
        let inv = 1 / Double(n)
        features.storage.withUnsafeBufferPointer { a in
            g.withUnsafeMutableBufferPointer { gp in
                for i in 0..<n {
                    let r = inv * (Self.sigmoid(logit(i, w)) - labels[i])
                    let row = i * d
                    for j in 0..<d { gp[j] += r * a[row + j] }
                }
            }
        }
    }

    /// `hv ← (1/n) Σᵢ σ(zᵢ)(1 − σ(zᵢ)) (xᵢᵀv) xᵢ + λ v` (exact).
    public func hessianVectorProduct(_ w: [Double], _ v: [Double], into hv: inout [Double]) {
        let n = sampleCount, d = dimension
        for j in 0..<d { hv[j] = regularization * v[j] }
        let inv = 1 / Double(n)
        features.storage.withUnsafeBufferPointer { a in
            v.withUnsafeBufferPointer { vp in
                hv.withUnsafeMutableBufferPointer { hp in
                    for i in 0..<n {
                        let s = Self.sigmoid(logit(i, w))
                        let row = i * d
                        var xv = 0.0
                        for j in 0..<d { xv += a[row + j] * vp[j] }
                        let c = inv * s * (1 - s) * xv
                        for j in 0..<d { hp[j] += c * a[row + j] }
                    }
                }
            }
        }
    }
}
