import Foundation

/// A compiled formula: the nodes that some outputs need, in evaluation order, one register each.
///
/// Compiled once; evaluating it parses nothing and allocates nothing on the heap (registers live on
/// the stack for tapes of up to a few hundred operations). Constants are folded into the operations
/// that use them (`u + c`, `c − u`, `c·u`, `u/c`, `c/u`) and `u²` is a product, so a tape holds few
/// instructions. The lane form evaluates `Lanes.width` points at once and is, lane by lane, bitwise
/// equal to the scalar form: both apply the same IEEE operations in the same order (transcendental
/// functions lane by lane, through the same functions).
public struct ExpressionTape: Sendable {
    enum Code: UInt8, Sendable {
        case input, constant
        case add, sub, mul, div, neg, square
        case addK, subK, rsubK, mulK, divK, rdivK
        /// Any other operation, through ``ExpressionGraph/apply(_:_:_:_:)``.
        case call
    }

    struct Instruction: Sendable {
        var code: Code
        var op: ExpressionOp
        /// Operand registers (0 when unused, so every load is in range).
        var a: Int32
        var b: Int32
        /// The constant operand, a constant's value, an input's index or an exponent (as bits).
        var k: UInt64
        var constant: Double { Double(bitPattern: k) }
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
        // A constant operand of + − × ÷ is folded into its user; only constants that are outputs,
        // or operands of other operations, take a register.
        func foldable(_ n: ExpressionGraph.Node) -> Bool { [.add, .sub, .mul, .div].contains(n.op) }
        var needed = [Bool](repeating: false, count: g.nodes.count)
        var stack = outputs
        while let i = stack.popLast() {
            if needed[Int(i)] { continue }
            needed[Int(i)] = true
            let n = g.node(i)
            let ca = n.a >= 0 && g.constantValue(n.a) != nil, cb = n.b >= 0 && g.constantValue(n.b) != nil
            if foldable(n), ca != cb {   // exactly one constant operand: fold it
                stack.append(ca ? n.b : n.a)
                continue
            }
            if n.a >= 0 { stack.append(n.a) }
            if n.b >= 0 { stack.append(n.b) }
        }
        var register = [Int32](repeating: 0, count: g.nodes.count)
        var code: [Instruction] = []
        for i in 0..<g.nodes.count where needed[i] {
            let n = g.nodes[i]
            register[i] = Int32(code.count)
            let ra = n.a >= 0 ? register[Int(n.a)] : 0, rb = n.b >= 0 ? register[Int(n.b)] : 0
            let ka = n.a >= 0 ? g.constantValue(n.a) : nil, kb = n.b >= 0 ? g.constantValue(n.b) : nil
            var ins = Instruction(code: .call, op: n.op, a: ra, b: rb, k: n.k)
            switch n.op {
            case .input: ins.code = .input
            case .constant: ins.code = .constant
            case .neg: ins.code = .neg
            case .powi where Int64(bitPattern: n.k) == 2: ins.code = .square
            case .add, .sub, .mul, .div:
                if let kb, ka == nil {
                    ins.k = kb.bitPattern
                    ins.code = [.add: Code.addK, .sub: .subK, .mul: .mulK, .div: .divK][n.op]!
                } else if let ka, kb == nil {
                    ins.k = ka.bitPattern
                    ins.a = rb
                    // c + u and c·u keep their operand order (addition and multiplication commute exactly).
                    ins.code = [.add: Code.addK, .sub: .rsubK, .mul: .mulK, .div: .rdivK][n.op]!
                } else {
                    ins.code = [.add: Code.add, .sub: .sub, .mul: .mul, .div: .div][n.op]!
                }
            default: break
            }
            code.append(ins)
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
                let a = r[Int(c.a)]
                switch c.code {
                case .input: r[i] = inputs[Int(c.k)]
                case .constant: r[i] = c.constant
                case .add: r[i] = a + r[Int(c.b)]
                case .sub: r[i] = a - r[Int(c.b)]
                case .mul: r[i] = a * r[Int(c.b)]
                case .div: r[i] = a / r[Int(c.b)]
                case .neg: r[i] = -a
                case .square: r[i] = a * a
                case .addK: r[i] = a + c.constant
                case .subK: r[i] = a - c.constant
                case .rsubK: r[i] = c.constant - a
                case .mulK: r[i] = a * c.constant
                case .divK: r[i] = a / c.constant
                case .rdivK: r[i] = c.constant / a
                case .call: r[i] = ExpressionGraph.apply(c.op, a, r[Int(c.b)], c.k)
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
                let a = r[Int(c.a)]
                switch c.code {
                case .input: r[i] = inputs[Int(c.k)]
                case .constant: r[i] = Lanes(repeating: c.constant)
                case .add: r[i] = a + r[Int(c.b)]
                case .sub: r[i] = a - r[Int(c.b)]
                case .mul: r[i] = a * r[Int(c.b)]
                case .div: r[i] = a / r[Int(c.b)]
                case .neg: r[i] = -a
                case .square: r[i] = a * a
                case .addK: r[i] = a + c.constant
                case .subK: r[i] = a - c.constant
                case .rsubK: r[i] = c.constant - a
                case .mulK: r[i] = a * c.constant
                case .divK: r[i] = a / c.constant
                case .rdivK: r[i] = c.constant / a
                case .call:
                    let b = r[Int(c.b)]
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
