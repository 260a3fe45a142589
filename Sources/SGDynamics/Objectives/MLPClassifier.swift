import Foundation

/// A one-hidden-layer tanh network with softmax cross-entropy over `K` classes, as a finite sum:
///
///     a = W₁ xᵢ + b₁,   h = tanh(a),   z = W₂ h + b₂,   p = softmax(z)
///     fᵢ(θ) = −log p_{yᵢ} + (λ/2)‖θ‖² = logsumexp(z) − z_{yᵢ} + (λ/2)‖θ‖²
///
/// with `xᵢ ∈ Rᵖ`, `H` hidden units and labels `yᵢ ∈ {0, …, K−1}`. The parameter vector is flat:
///
///     θ = [ W₁ (H×p, row-major) | b₁ (H) | W₂ (K×H, row-major) | b₂ (K) ],   d = Hp + H + KH + K
///
/// Gradients are hand-written backpropagation:
///
///     δ₂ = p − e_{yᵢ},   ∂W₂ = δ₂ hᵀ,   ∂b₂ = δ₂,
///     δ₁ = (W₂ᵀ δ₂) ⊙ (1 − h²),   ∂W₁ = δ₁ xᵢᵀ,   ∂b₁ = δ₁,   plus λθ.
///
/// The regularizer acts on every parameter, biases included. The Hessian-vector product is the
/// protocol default (a central difference of gradients), so ``hasExactHessian`` is `false`.
///
/// - Note: Per-sample work needs scratch space for `h`, `z` and `δ₁` (`2H + K` numbers). A value type
///   cannot keep mutable scratch without copy-on-write traffic or losing `Sendable`, so each call takes
///   it from `withUnsafeTemporaryAllocation`, which is on the stack for small sizes (no heap
///   allocation for the sizes this type is meant for) and falls back to the heap for very large `H`.
public struct MLPClassifier: FiniteSumObjective {
    /// The `n × p` inputs (row `i` is `xᵢᵀ`).
    public let features: Matrix
    /// Class labels in `0..<classCount`.
    public let labels: [Int]
    /// Number of classes `K`.
    public let classCount: Int
    /// Number of hidden units `H`.
    public let hiddenUnits: Int
    /// The L2 weight `λ ≥ 0`.
    public let regularization: Double
    public var name: String

    public var inputCount: Int { features.columns }
    public var sampleCount: Int { features.rows }
    public var dimension: Int { hiddenUnits * inputCount + hiddenUnits + classCount * hiddenUnits + classCount }

    /// Offsets of the blocks of θ.
    public var offsetW1: Int { 0 }
    public var offsetB1: Int { hiddenUnits * inputCount }
    public var offsetW2: Int { offsetB1 + hiddenUnits }
    public var offsetB2: Int { offsetW2 + classCount * hiddenUnits }

    /// A network on the rows of `features` with labels in `0..<classCount`.
    public init(
        features: Matrix, labels: [Int], classCount: Int, hiddenUnits: Int,
        regularization: Double = 0, name: String = "mlp"
    ) {
        precondition(features.rows >= 1, "MLPClassifier: need at least one sample")
        precondition(features.rows == labels.count, "MLPClassifier: \(features.rows) rows but \(labels.count) labels")
        precondition(classCount >= 2, "MLPClassifier: need at least 2 classes")
        precondition(hiddenUnits >= 1, "MLPClassifier: need at least 1 hidden unit")
        precondition(regularization >= 0 && regularization.isFinite, "MLPClassifier: regularization must be finite and ≥ 0")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classCount }, "MLPClassifier: labels must lie in 0..<\(classCount)")
        self.features = features
        self.labels = labels
        self.classCount = classCount
        self.hiddenUnits = hiddenUnits
        self.regularization = regularization
        self.name = name
    }

    /// A network on a data set whose target column holds class indices `0, 1, …, K−1`.
    ///
    /// `classCount` defaults to the largest target plus one. Features are standardized by default
    /// (``Dataset/standardized()``). Throws ``DatasetError/invalidTarget(dataset:row:column:value:expected:)``
    /// for a target that is not an integer in `0..<K`.
    public init(
        dataset: Dataset, hiddenUnits: Int, classCount: Int? = nil,
        regularization: Double = 0, standardize: Bool = true
    ) throws {
        let limit = classCount ?? Int.max
        let expected = classCount.map { "an integer class 0…\($0 - 1)" } ?? "an integer class ≥ 0"
        var labels = [Int](repeating: 0, count: dataset.sampleCount)
        for (i, y) in dataset.targets.enumerated() {
            guard y == y.rounded(), y >= 0, y < Double(Swift.min(limit, 1 << 31)) else {
                throw DatasetError.invalidTarget(dataset: dataset.name, row: i, column: dataset.targetName,
                                                 value: y, expected: expected)
            }
            labels[i] = Int(y)
        }
        let k = classCount ?? ((labels.max() ?? 0) + 1)
        guard k >= 2 else {
            throw DatasetError.invalidTarget(dataset: dataset.name, row: 0, column: dataset.targetName,
                                             value: dataset.targets[0], expected: "at least 2 distinct classes")
        }
        let data = standardize ? dataset.standardized() : dataset
        self.init(features: data.features, labels: labels, classCount: k, hiddenUnits: hiddenUnits,
                  regularization: regularization, name: "mlp(\(dataset.name))")
    }

    /// A random starting point: `W₁ ~ N(0, 1/p)`, `W₂ ~ N(0, 1/H)` entrywise (variance-preserving
    /// scaling for tanh), biases 0; drawn from ``SplitMix64`` seeded with `seed`.
    public func initialParameters(seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        var theta = [Double](repeating: 0, count: dimension)
        let s1 = 1 / Double(inputCount).squareRoot(), s2 = 1 / Double(hiddenUnits).squareRoot()
        for k in offsetW1..<offsetB1 { theta[k] = s1 * rng.nextGaussian() }
        for k in offsetW2..<offsetB2 { theta[k] = s2 * rng.nextGaussian() }
        return theta
    }

    // MARK: forward and backward

    /// Forward pass for sample `i`: writes `h` (H) and `z` (K); returns `logsumexp(z)`.
    @inline(__always)
    func forward(
        _ i: Int, _ theta: UnsafeBufferPointer<Double>, x: UnsafeBufferPointer<Double>,
        hidden: UnsafeMutableBufferPointer<Double>, logits: UnsafeMutableBufferPointer<Double>
    ) -> Double {
        let p = inputCount, hu = hiddenUnits, k = classCount
        let row = i * p, ob1 = offsetB1, ow2 = offsetW2, ob2 = offsetB2
        for u in 0..<hu {
            var a = theta[ob1 + u]
            let w = u * p
            for j in 0..<p { a += theta[w + j] * x[row + j] }
            hidden[u] = Foundation.tanh(a)
        }
        var m = -Double.infinity
        for c in 0..<k {
            var s = theta[ob2 + c]
            let w = ow2 + c * hu
            for u in 0..<hu { s += theta[w + u] * hidden[u] }
            logits[c] = s
            m = Swift.max(m, s)
        }
        var e = 0.0
        for c in 0..<k { e += Foundation.exp(logits[c] - m) }
        return m + Foundation.log(e)
    }

    @inline(__always)
    func withScratch<R>(_ body: (UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>,
                                 UnsafeMutableBufferPointer<Double>) -> R) -> R {
        let hu = hiddenUnits, k = classCount
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * hu + k) { buf in
            let base = buf.baseAddress!
            return body(UnsafeMutableBufferPointer(start: base, count: hu),
                        UnsafeMutableBufferPointer(start: base + hu, count: k),
                        UnsafeMutableBufferPointer(start: base + hu + k, count: hu))
        }
    }

    public func sampleValue(_ i: Int, _ theta: [Double]) -> Double {
        precondition(theta.count == dimension, "MLPClassifier: θ has \(theta.count) entries, expected \(dimension)")
        let loss = withScratch { hidden, logits, _ in
            theta.withUnsafeBufferPointer { t in
                features.storage.withUnsafeBufferPointer { x in
                    forward(i, t, x: x, hidden: hidden, logits: logits) - logits[labels[i]]
                }
            }
        }
        return regularization == 0 ? loss : loss + 0.5 * regularization * Vec.dot(theta, theta)
    }

    public func value(_ theta: [Double]) -> Double {
        precondition(theta.count == dimension, "MLPClassifier: θ has \(theta.count) entries, expected \(dimension)")
        let total = withScratch { hidden, logits, _ in
            theta.withUnsafeBufferPointer { t in
                features.storage.withUnsafeBufferPointer { x in
                    var s = 0.0
                    for i in 0..<sampleCount { s += forward(i, t, x: x, hidden: hidden, logits: logits) - logits[labels[i]] }
                    return s
                }
            }
        }
        return total / Double(sampleCount) + 0.5 * regularization * Vec.dot(theta, theta)
    }

    public func addSampleGradient(_ i: Int, _ theta: [Double], scale: Double, into g: inout [Double]) {
        precondition(theta.count == dimension && g.count == dimension, "MLPClassifier: θ and g need \(dimension) entries")
        let p = inputCount, hu = hiddenUnits, k = classCount
        let ob1 = offsetB1, ow2 = offsetW2, ob2 = offsetB2
        let lam = scale * regularization
        withScratch { hidden, logits, delta1 in
            theta.withUnsafeBufferPointer { t in
                features.storage.withUnsafeBufferPointer { x in
                    g.withUnsafeMutableBufferPointer { gp in
                        let lse = forward(i, t, x: x, hidden: hidden, logits: logits)
                        // δ₂ = p − e_y (scaled), stored in place of the logits.
                        for c in 0..<k { logits[c] = scale * Foundation.exp(logits[c] - lse) }
                        logits[labels[i]] -= scale
                        for u in 0..<hu { delta1[u] = 0 }
                        for c in 0..<k {
                            let d2 = logits[c]
                            gp[ob2 + c] += d2
                            let w = ow2 + c * hu
                            for u in 0..<hu {
                                gp[w + u] += d2 * hidden[u]
                                delta1[u] += t[w + u] * d2
                            }
                        }
                        let row = i * p
                        for u in 0..<hu {
                            let d1 = delta1[u] * (1 - hidden[u] * hidden[u])
                            gp[ob1 + u] += d1
                            let w = u * p
                            for j in 0..<p { gp[w + j] += d1 * x[row + j] }
                        }
                        if lam != 0 {
                            for q in 0..<gp.count { gp[q] += lam * t[q] }
                        }
                    }
                }
            }
        }
    }

    /// The most probable class of sample `i`.
    public func predictedClass(_ i: Int, _ theta: [Double]) -> Int {
        withScratch { hidden, logits, _ in
            theta.withUnsafeBufferPointer { t in
                features.storage.withUnsafeBufferPointer { x in
                    _ = forward(i, t, x: x, hidden: hidden, logits: logits)
                    var best = 0
                    for c in 1..<classCount where logits[c] > logits[best] { best = c }
                    return best
                }
            }
        }
    }

    /// Fraction of samples whose most probable class is the label.
    public func accuracy(_ theta: [Double]) -> Double {
        var correct = 0
        for i in 0..<sampleCount where predictedClass(i, theta) == labels[i] { correct += 1 }
        return Double(correct) / Double(sampleCount)
    }
}
