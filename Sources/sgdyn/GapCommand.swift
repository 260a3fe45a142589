import ArgumentParser
import Foundation
import SGDynamics

/// `sgdyn gap`: trajectory gap between a deterministic algorithm and its flows over an η grid
/// (the library's `GapStudy`).
struct GapCommand: LibraryStudyCommand {
    typealias Runner = GapStudy
    static let configuration = CommandConfiguration(
        commandName: "gap",
        abstract: "Print the gap max_k ‖x_k − X(kτ)‖ between an algorithm and its flow models over an η grid, with the fitted order.",
        discussion: """
        Algorithms: gd (x − η∇f(x)), pp (proximal point, x_{k+1} = x_k − η∇f(x_{k+1})), nesterov \
        (Su–Boyd–Candès form with step s = η). Models: gf (gradient flow), igr (f + (η/4)‖∇f‖²), \
        be (backward-Euler flow f − (η/4)‖∇f‖²), nesterov-ode (Ẍ + (3/t)Ẋ + ∇f = 0, t = k√s). \
        Expected orders: gd–gf 1, gd–igr 2, pp–gf 1, pp–be 2, nesterov–nesterov-ode 0.5. The order is a \
        least-squares slope of log gap against log η with a 95% interval (Student t). Flows are solved \
        by Dormand–Prince 5(4) at rtol 1e-12 (docs/THEORY.md §4.1, §4.2, §4.7).
        """
    )

    @OptionGroup var objectiveOptions: ObjectiveOptions

    @Option(name: .long, help: ArgumentHelp("Algorithm: gd, pp or nesterov.", valueName: "name"))
    var algorithm: GapStudy.AlgorithmName = .gd

    @Option(name: .long, help: ArgumentHelp("Models, comma separated: gf, igr, be, nesterov-ode.", valueName: "m,…"))
    var models: String = "gf,igr"

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Learning rates, comma separated, each > 0.", valueName: "η,…"))
    var etas: String = "0.1,0.05,0.025,0.0125"

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Time horizon T (> 0).", valueName: "T"))
    var horizon: Double = 1

    @Option(name: .long, help: ArgumentHelp("Norm of the gap: max or euclidean.", valueName: "norm"))
    var norm: TrajectoryGap.Norm = .max

    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var memoryOptions: MemoryOptions

    func configuration() throws -> GapStudy.Configuration {
        GapStudy.Configuration(objective: try objectiveOptions.choice(), algorithm: algorithm,
                               models: try parseChoices(models, field: "--models"),
                               learningRates: try parseNumbers(etas, field: "--etas"), horizon: horizon, norm: norm)
    }
}

extension GapStudy.AlgorithmName: ExpressibleByArgument {}
extension GapStudy.ModelName: ExpressibleByArgument {}
extension TrajectoryGap.Norm: ExpressibleByArgument {}
