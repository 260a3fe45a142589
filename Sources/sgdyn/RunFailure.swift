import ArgumentParser
import SGDynamics
import SGDynamicsStore

/// How a failed study is described to the user and to the store.
enum RunFailure {
    /// Run a store operation; a store error becomes the one-line CLI error.
    static func recorded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as RunStoreError { throw CLIError(storeError: error) }
    }

    /// The one-line message and exit code of an error, as `Entry.main` would report it.
    static func describe(_ error: any Error) -> (message: String, code: Int32) {
        let report = ErrorReport(error)
        return (report.message.split(separator: "\n").first.map(String.init) ?? report.message, report.code == 0 ? 1 : report.code)
    }
}
