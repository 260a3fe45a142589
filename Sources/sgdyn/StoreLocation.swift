import ArgumentParser
import Foundation
import SGDynamicsStore

/// `--store PATH` for the commands that read the run store (`runs …`, `report`).
struct StoreLocation: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Run store (SQLite) to read. Default: $SGDYN_STORE, else sgdyn.sqlite.", valueName: "path"))
    var store: String?

    /// The store's path: --store, else $SGDYN_STORE, else `sgdyn.sqlite` in the working directory.
    var path: String { Self.resolve(store) }

    /// Open the existing store (never creates one); errors become one-line CLI errors.
    func open() throws -> RunStore { try Self.open(path, create: false) }

    /// The path a store option names: the option, else $SGDYN_STORE (when not empty), else `sgdyn.sqlite`.
    static func resolve(_ given: String?) -> String {
        if let given { return given }
        if let env = ProcessInfo.processInfo.environment["SGDYN_STORE"], !env.isEmpty { return env }
        return "sgdyn.sqlite"
    }

    /// Whether a store could be kept at `path`, without opening or creating anything: a file that is
    /// not a directory, in an existing directory.
    static func check(_ path: String) throws {
        guard !path.isEmpty else { throw CLIError.usage("--store", "give the path of a run store file, e.g. sgdyn.sqlite") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue else { throw CLIError.usage("--store", "'\(path)' is a directory; give the path of a run store file") }
            return
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError.usage("--store", "the directory of '\(path)' does not exist; create it or give --store PATH in an existing directory")
        }
    }

    /// Open (and with `create`, make) the store at `path`; a store error becomes a `CLIError`
    /// (exit 64 for a bad path or file, 1 for a failure of the machine).
    static func open(_ path: String, create: Bool) throws -> RunStore {
        guard !path.isEmpty else { throw CLIError.usage("--store", "give the path of a run store file, e.g. sgdyn.sqlite") }
        // A reader of a store it may not write (a read-only file or directory) opens it read-only.
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let readOnly = !create && FileManager.default.fileExists(atPath: path)
            && (!FileManager.default.isWritableFile(atPath: path) || !FileManager.default.isWritableFile(atPath: directory))
        do {
            return try RunStore(path: path, create: create, readOnly: readOnly)
        } catch {
            throw CLIError(storeError: error)
        }
    }
}

extension CLIError {
    /// The one-line CLI error for a run store error, naming --store where the path is at fault.
    init(storeError error: RunStoreError) {
        switch error {
        case .missingStore, .missingDirectory, .isDirectory, .notADatabase, .notARunStore, .newerSchema, .cannotOpen:
            self.init(message: "--store: \(error.description)", code: error.isUsageError ? 64 : 1)
        default:
            self.init(message: error.description, code: error.isUsageError ? 64 : 1)
        }
    }
}
