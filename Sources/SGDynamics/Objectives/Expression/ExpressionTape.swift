import Foundation

/// A compiled formula: the nodes that some outputs need, in evaluation order, one register each.
///
/// Compiled once; evaluating it parses nothing and allocates nothing (the caller passes the
/// registers). The lane form evaluates `Lanes.width` points at once and is, lane by lane, bitwise
/// equal to the scalar form: both apply the same IEEE operations (transcendental functions lane by
/// lane, through the same functions).
public struct ExpressionTape: Sendable {
    struct Instruction: Sendable {
        var op: ExpressionOp
        var a: Int32
        var b: Int32
        var k: UInt64
    }

    let instructions: [Instruction]
    /// Register of each output.
    let outputRegisters: [Int32]
    /// Number of inputs the tape reads (`inputs[0..<inputCount]`).
    public let inputCount: Int
    /// Registers an evaluation needs.
    public var registerCount: Int { instructions.count }
    public var outputCount: Int { outputRegisters.count }

    init(graph g: ExpressionGraph, outputs: [Int32], inputCount: Int) {
        var needed = [Bool](repeating: false, count: g.nodes.count)
        var stack = outputs
        while let i = stack.popLast() {
            if needed[Int(i)] { continue }
            needed[Int(i)] = true
            let n = g.node(i)
            if n.a >= 0 { stack.append(n.a) }
            if n.b >= 0 { stack.append(n.b) }
        }
        var register = [Int32](repeating: -1, count: g.nodes.count)
        var code: [Instruction] = []
        for i in 0..<g.nodes.count where needed[i] {
            let n = g.nodes[i]
            register[i] = Int32(code.count)
            code.append(Instruction(op: n.op, a: n.a >= 0 ? register[Int(n.a)] : -1,
                                    b: n.b >= 0 ? register[Int(n.b)] : -1, k: n.k))
        }
        instructions = code
        outputRegisters = outputs.map { register[Int($0)] }
        self.inputCount = inputCount
    }

    /// `out[j] ← output j` at `inputs`, using `registers` (``registerCount`` values) as work space.
    @inline(__always)
    func evaluate(_ inputs: UnsafePointer<Double>, registers r: UnsafeMutablePointer<Double>,
                  into out: UnsafeMutablePointer<Double>) {
        instructions.withUnsafeBufferPointer { code in
            for i in 0..<code.count {
                let c = code[i]
                let a = c.a >= 0 ? r[Int(c.a)] : 0
                switch c.op {
                case .constant: r[i] = Double(bitPattern: c.k)
                case .input: r[i] = inputs[Int(c.k)]
                case .add: r[i] = a + r[Int(c.b)]
                case .sub: r[i] = a - r[Int(c.b)]
                case .mul: r[i] = a * r[Int(c.b)]
                case .div: r[i] = a / r[Int(c.b)]
                case .neg: r[i] = -a
                default: r[i] = ExpressionGraph.apply(c.op, a, c.b >= 0 ? r[Int(c.b)] : 0, c.k)
                }
            }
        }
        outputRegisters.withUnsafeBufferPointer { o in
            for j in 0..<o.count { out[j] = r[Int(o[j])] }
        }
    }

    /// The lane form of ``evaluate(_:registers:into:)``: inputs, registers and outputs hold
    /// `Lanes.width` points each.
    @inline(__always)
    func evaluate(lanes inputs: UnsafePointer<Lanes>, registers r: UnsafeMutablePointer<Lanes>,
                  into out: UnsafeMutablePointer<Lanes>) {
        instructions.withUnsafeBufferPointer { code in
            for i in 0..<code.count {
                let c = code[i]
                let a = c.a >= 0 ? r[Int(c.a)] : Lanes(repeating: 0)
                switch c.op {
                case .constant: r[i] = Lanes(repeating: Double(bitPattern: c.k))
                case .input: r[i] = inputs[Int(c.k)]
                case .add: r[i] = a + r[Int(c.b)]
                case .sub: r[i] = a - r[Int(c.b)]
                case .mul: r[i] = a * r[Int(c.b)]
                case .div: r[i] = a / r[Int(c.b)]
                case .neg: r[i] = -a
                default:
                    let b = c.b >= 0 ? r[Int(c.b)] : Lanes(repeating: 0)
                    var v = Lanes(repeating: 0)
                    for l in 0..<Lanes.scalarCount { v[l] = ExpressionGraph.apply(c.op, a[l], b[l], c.k) }
                    r[i] = v
                }
            }
        }
        outputRegisters.withUnsafeBufferPointer { o in
            for j in 0..<o.count { out[j] = r[Int(o[j])] }
        }
    }

    /// Evaluate with stack (or, for large tapes, temporary) registers; `inputs` has ``inputCount`` values.
    func evaluate(_ inputs: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: max(registerCount, 1)) { r in
            evaluate(inputs, registers: r.baseAddress!, into: out)
        }
    }

    func evaluate(lanes inputs: UnsafePointer<Lanes>, into out: UnsafeMutablePointer<Lanes>) {
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: max(registerCount, 1)) { r in
            evaluate(lanes: inputs, registers: r.baseAddress!, into: out)
        }
    }
}
