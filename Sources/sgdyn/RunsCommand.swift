import ArgumentParser

/// `sgdyn runs`: look into the run store.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List, show, compare and export the runs kept in the run store.",
        discussion: """
        Every study (flow, gap, weak-error, simulate, fokker-planck, master, stationary, noise, stability) \
        is kept in the run store unless run with --no-store: its spec, seed, status, claim, reading, printed \
        output and files. The store is --store PATH, else $SGDYN_STORE, else sgdyn.sqlite in the working directory.
        """,
        subcommands: [RunsListCommand.self, RunsShowCommand.self, RunsCompareCommand.self, RunsExportCommand.self, RunsAggregateCommand.self, RunsImportCommand.self],
        defaultSubcommand: RunsListCommand.self
    )
}
