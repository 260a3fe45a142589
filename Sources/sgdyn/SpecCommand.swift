import ArgumentParser

/// `sgdyn spec STUDY [OPTIONS…]`: the experiment file of a command line.
struct SpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec",
        abstract: "Print the experiment file (YAML) of a study's command line, with every option and its default.",
        discussion: """
        Give the study and its options as you would run them: `sgdyn spec weak-error --mode mc --etas 0.1,0.05 \
        > my.yaml` writes a file that `sgdyn run my.yaml` runs. The file lists every result-relevant option, \
        sorted, with the default where the command line gave none (null: unset, no default); output-only \
        options (out, no-files, store, no-store, threads) only when given. With --canonical, print instead \
        the canonical spec that identifies the run in the run store (a library study's configuration as \
        canonical JSON with its input files' hashes; for the others study=NAME, then sorted name=value \
        lines, numbers in one spelling), output-only options left out.
        """
    )

    @Flag(name: .long, help: "Print the canonical spec (study=NAME and sorted name=value lines) instead of YAML.")
    var canonical = false

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The study and its options, e.g. weak-error --mode mc.", valueName: "study-and-options"))
    var commandLine: [String] = []

    func run() throws {
        let studies = StudyInterface.studyNames.joined(separator: ", ")
        // The study's options are captured as they are, so help is handled here.
        let help: Set<String> = ["--help", "-h", "help"]
        if let first = commandLine.first, help.contains(first) { throw CleanExit.helpRequest(Self.self) }
        if commandLine.dropFirst().contains(where: help.contains),
           let type = SGDyn.configuration.subcommands.first(where: { $0._commandName == commandLine[0] }) {
            throw CleanExit.helpRequest(type)
        }
        guard let study = commandLine.first else { throw CLIError.usage("study", "give a study and its options, e.g. sgdyn spec weak-error --mode mc; studies: \(studies)") }
        guard StudyInterface.studyNames.contains(study) else { throw CLIError.usage("study", "'\(study)' is not a study; valid: \(studies)") }
        // The command line must be one the study accepts (its own validation included).
        _ = try SGDyn.parseAsRoot(commandLine)
        let invocation = try StudyInvocation(arguments: commandLine)
        if canonical {
            let text = try StudyRecording.canonicalSpec(arguments: commandLine)
            print(text.hasSuffix("\n") ? text : text + "\n", terminator: "")
        } else {
            print(SpecWriter.yaml(for: invocation), terminator: "")
        }
    }
}
