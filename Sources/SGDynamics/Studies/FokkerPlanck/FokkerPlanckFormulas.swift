/// The drift and diffusion of `fokker-planck --model sde`, written as formulas in `x` (1-D) or
/// `x, y` (2-D), compiled once and evaluated at the grid's nodes and faces.
struct FokkerPlanckFormulas {
    let drift: [ExpressionObjective]
    let diffusion: [ExpressionObjective]
    var dimension: Int { drift.count }

    init(_ c: FokkerPlanckStudy.Configuration) throws {
        guard let b = c.drift, !b.isEmpty else {
            throw ConfigurationError(field: "drift", "model sde needs its drift: one formula in x (1-D) or two separated by ';' in x, y (2-D), e.g. --drift '-x^3 + x'")
        }
        guard b.count <= 2 else { throw ConfigurationError(field: "drift", "has \(b.count) components; fokker-planck solves 1-D (one) and 2-D (two) problems") }
        guard let dd = c.diffusion, !dd.isEmpty else {
            throw ConfigurationError(field: "diffusion", "model sde needs its diffusion D = σσᵀ/2, e.g. --diffusion '0.25 + 0.1*x^2'")
        }
        let names = b.count == 1 ? ["x"] : ["x", "y"]
        if let k = b.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ConfigurationError(field: "drift", "component \(k + 1) is empty; give b(x), or b_x; b_y")
        }
        if let k = dd.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ConfigurationError(field: "diffusion", "component \(k + 1) is empty")
        }
        guard b.count == 2 ? [1, 2, 3].contains(dd.count) : dd.count == 1 else {
            throw ConfigurationError(field: "diffusion", b.count == 1 ? "in 1-D is one formula D(x), got \(dd.count)"
                                                                      : "in 2-D is one formula (D·I), two (D_xx; D_yy) or three (D_xx; D_xy; D_yy), got \(dd.count)")
        }
        // The parameters are shared by every component: each formula gets those it uses, and each
        // parameter must be used by one of them.
        let all = c.parameters ?? [:]
        var usedParameters = Set<String>()
        func compile(_ text: String, _ field: String, _ k: Int, of n: Int) throws -> ExpressionObjective {
            do {
                let mine = Set(try ExpressionParser(text).valueNames.map(\.name))
                let p = all.filter { mine.contains($0.key) }
                usedParameters.formUnion(p.keys)
                return try ExpressionObjective(text, variables: names, parameters: p, everyVariableUsed: false)
            } catch let e as ExpressionError {
                throw ConfigurationError(field: e.setting ?? field, (n > 1 ? "component \(k + 1): " : "") + e.description)
            }
        }
        drift = try b.enumerated().map { try compile($1, "drift", $0, of: b.count) }
        diffusion = try dd.enumerated().map { try compile($1, "diffusion", $0, of: dd.count) }
        if let unused = all.keys.sorted().first(where: { !usedParameters.contains($0) }) {
            throw ConfigurationError(field: "parameters", "parameter '\(unused)' appears in no drift or diffusion formula")
        }
        if c.expression != nil {
            throw ConfigurationError(field: "objective", "model sde is given by --drift and --diffusion; it takes no objective")
        }
    }

    /// The Chang–Cooper solver on `axes` and the model's label.
    func solver(axes: [GridAxis]) throws -> (FokkerPlanckStudy.Solver, String) {
        guard axes.count == dimension else {
            throw ConfigurationError(field: "grid", "has \(axes.count) axes but the drift has \(dimension) components")
        }
        let label = "dX = b(X) dt + √(2D(X)) dW, b = (\(drift.map(\.formula).joined(separator: "; "))), D = (\(diffusion.map(\.formula).joined(separator: "; ")))"
        if dimension == 1 {
            let b = drift[0], d = diffusion[0]
            return (.one(try FokkerPlanck1D(grid: try axes[0].grid(), drift: { b.value([$0]) }, diffusion: { d.value([$0]) })), label)
        }
        let bx = drift[0], by = drift[1], dv = diffusion
        let grid = Grid2D(x: try axes[0].grid(), y: try axes[1].grid())
        let fp = try FokkerPlanck2D(grid: grid, drift: { x, y in (bx.value([x, y]), by.value([x, y])) }, diffusion: { x, y in
            switch dv.count {
            case 1: let v = dv[0].value([x, y]); return (v, 0, v)
            case 2: return (dv[0].value([x, y]), 0, dv[1].value([x, y]))
            default: return (dv[0].value([x, y]), dv[1].value([x, y]), dv[2].value([x, y]))
            }
        })
        return (.two(fp), label)
    }
}
