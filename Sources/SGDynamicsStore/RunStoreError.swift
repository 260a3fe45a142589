/// Why the store could not do what was asked, in one line for the user.
public enum RunStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No file at the path and the caller asked not to create one.
    case missingStore(path: String)
    /// The directory meant to hold a new store does not exist.
    case missingDirectory(path: String)
    /// The path names a directory.
    case isDirectory(path: String)
    /// The file exists but is not an SQLite database (or is damaged).
    case notADatabase(path: String)
    /// An SQLite database that holds other tables and none of the store's.
    case notARunStore(path: String)
    /// The store was written by a newer sgdyn whose schema this one does not know.
    case newerSchema(path: String)
    /// The file could not be opened or written (permissions, a directory, a full disk, …).
    case cannotOpen(path: String, reason: String)
    /// No run with this id.
    case noSuchRun(id: Int64, path: String)
    /// A status change that the life cycle does not allow (only `running` runs change).
    case invalidTransition(id: Int64, from: RunStatus, to: RunStatus)
    /// Any other database failure.
    case database(String)
    /// The same spec is a finished run in both stores, with different results.
    case importConflict(source: String, sourceID: Int64, id: Int64, path: String)

    /// True for errors caused by what the user gave (path, id): the CLI exits 64 for these, 1 otherwise.
    public var isUsageError: Bool {
        switch self {
        case .missingStore, .missingDirectory, .isDirectory, .notADatabase, .notARunStore, .newerSchema, .noSuchRun, .importConflict: true
        case .cannotOpen, .invalidTransition, .database: false
        }
    }

    public var description: String {
        switch self {
        case .missingStore(let p): "no run store at '\(p)'; run a study first, or give --store PATH of an existing store"
        case .missingDirectory(let p): "the directory of '\(p)' does not exist; create it or give --store PATH in an existing directory"
        case .isDirectory(let p): "'\(p)' is a directory; give the path of a run store file, e.g. \(p.hasSuffix("/") ? p : p + "/")sgdyn.sqlite"
        case .notADatabase(let p): "'\(p)' is not an SQLite database (or is damaged); give --store PATH of a run store or of a new file"
        case .notARunStore(let p): "'\(p)' is an SQLite database but not an sgdyn run store; give --store PATH of a run store or of a new file"
        case .newerSchema(let p): "'\(p)' was written by a newer sgdyn; use that version to read it"
        case .cannotOpen(let p, let reason): "cannot open the run store '\(p)': \(reason)"
        case .noSuchRun(let id, let p): "no run \(id) in '\(p)'; 'sgdyn runs list' shows the runs it holds"
        case .invalidTransition(let id, let from, let to): "run \(id) is \(from.rawValue) and cannot become \(to.rawValue)"
        case .database(let m): "run store: \(m)"
        case .importConflict(let source, let sid, let id, let p):
            "run \(sid) of '\(source)' has the same spec as run \(id) of '\(p)' but different results; nothing was imported"
        }
    }
}
