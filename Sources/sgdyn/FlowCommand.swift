import ArgumentParser
import Foundation
import SGDynamics

/// `sgdyn flow`: gradient descent at several learning rates next to gradient flow and the IGR flow
/// (the library's `FlowStudy`).
struct FlowCommand: LibraryStudyCommand {
    typealias Runner = FlowStudy
    static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "Run GD at several learning rates next to gradient flow and its IGR modified flow.",
        discussion: """
        GD x_{k+1} = x_k − η∇f(x_k) is the forward-Euler discretization of gradient flow ẋ = −∇f (t = kη); \
        the IGR flow ẋ = −∇(f + (η/4)‖∇f‖²) follows it to second order. By default the learning rates are \
        0.5, 0.95 and 1.05 times 2/L (L = largest Hessian eigenvalue at the minimizer, or at x0): one \
        stable, one near the stability limit, one unstable. Writes flow.csv (every iterate), flow.json \
        (the result) and flow.svg (contours of f, the field −∇f, the paths) to --out (docs/THEORY.md §4.1–§4.2).
        """
    )

    @OptionGroup var objectiveOptions: ObjectiveOptions

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Learning rates, comma separated (each > 0). Default: 0.5, 0.95, 1.05 × 2/L.", valueName: "η,…"))
    var etas: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Time horizon T; GD runs ⌊T/η⌋ steps.", valueName: "T"))
    var horizon: Double = 3

    @OptionGroup var output: OutputOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var memoryOptions: MemoryOptions

    func configuration() throws -> FlowStudy.Configuration {
        FlowStudy.Configuration(objective: try objectiveOptions.choice(), learningRates: try etas.map { try parseNumbers($0, field: "--etas") },
                                horizon: horizon)
    }
}
