import ArgumentParser
import Foundation
import SGDynamics

/// `sgdyn`: run optimization algorithms next to their continuous-time models and measure the gap.
struct SGDyn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgdyn",
        abstract: "Run stochastic-gradient algorithms next to their continuous-time models and measure the gap.",
        discussion: """
        Every study pairs a discrete algorithm at learning rate η with a continuous model on the same \
        objective (time identification t = kη unless stated). Objectives: \(ObjectiveCatalog.validNames).
        """,
        version: PackageVersion.current,
        subcommands: [TourCommand.self, FlowCommand.self, GapCommand.self, WeakErrorCommand.self, SimulateCommand.self, MergeCommand.self, FokkerPlanckCommand.self, MasterCommand.self, StationaryCommand.self, NoiseCommand.self, StabilityCommand.self, RunCommand.self, SpecCommand.self, RunsCommand.self, ReportCommand.self]
    )
}

@main
enum Entry {
    static func main() {
        // A closed pipe is an error to handle (quietly), not a signal to die of.
        signal(SIGPIPE, SIG_IGN)
        // A file-size limit (ulimit -f) makes a write fail (EFBIG), reported as an error, instead of killing the process.
        signal(SIGXFSZ, SIG_IGN)
        do {
            try execute(arguments: Array(CommandLine.arguments.dropFirst()))
            checkStandardOutput()
        } catch {
            let report = ErrorReport(error)
            if report.code == 0 {
                print(report.message)
                checkStandardOutput()
                exit(0)
            }
            let first = CommandLine.arguments.dropFirst().first
            let sub = SGDyn.configuration.subcommands.first { $0._commandName == first }?._commandName
            fail(report.line(command: sub), code: report.code)
        }
    }

    /// Parse and run one command line (also used by `sgdyn run` for each point of an experiment file).
    /// Studies are recorded in the run store here.
    /// `skipIfStored`: a study whose spec is already stored as a finished run is not run again;
    /// `progressContext` is shown before its progress bars (a sweep's point `i/n`); `experiment`
    /// (the file's name, description and point) is kept with the run.
    @discardableResult
    static func execute(arguments: [String], skipIfStored: Bool = false, progressContext: String? = nil,
                        experiment: String? = nil) throws -> StudyRunRecord {
        var command = try SGDyn.parseAsRoot(arguments)
        if let study = command as? any LibraryStudyCommand {
            return try study.execute(record: !study.storeOptions.noStore, skipIfStored: skipIfStored, progressContext: progressContext,
                                     experiment: experiment)
        }
        try command.run()
        return StudyRunRecord(id: nil, reading: nil)
    }

    /// Exit 1 when what was printed did not reach stdout (a full disk: one line on stderr; a closed
    /// pipe: quietly), instead of exit 0 with the output lost.
    static func checkStandardOutput() {
        if let code = StandardOutputBuffer.flushFailure() {
            if code == EPIPE { exit(1) }
            fail("cannot write to standard output: \(String(cString: strerror(code)))", code: 1)
        }
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("sgdyn: error: \(message)\n".utf8))
        exit(code)
    }
}
