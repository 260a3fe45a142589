import Foundation
import GRDB
import SGDynamics

/// The run store: an SQLite file (default `./sgdyn.sqlite`) that keeps every study run with its spec,
/// status, process, claim, reading, stdout and artifacts.
///
/// Every change is one SQLite transaction in WAL mode, so a process killed at any instant (even
/// `kill -9`) leaves a file that opens with every earlier run intact; its own run stays `running`
/// until the next open notices the process is gone and marks it `interrupted`.
///
/// Schema (migration `v1`):
///
///     run(id INTEGER PRIMARY KEY, study, spec, specHash, seed, packageVersion, startedAt, endedAt,
///         status ∈ {running, done, failed, interrupted}, errorMessage, pid, hostname, bootId,
///         processStart, claim, reading, stdout)
///     artifact(runId → run.id ON DELETE CASCADE, name, kind ∈ {csv, json, svg, txt}, contents;
///              PRIMARY KEY (runId, name))
public final class RunStore: Sendable {
    /// The file's path as given.
    public let path: String
    let queue: DatabaseQueue

    /// Open the store at `path`, creating it when `create` is true and no file is there.
    ///
    /// Opening brings the schema up to date and marks as `interrupted` every `running` run whose
    /// process is gone (see `ProcessIdentity.isGone`).
    /// - Throws: `RunStoreError` (never crashes on a damaged or foreign file).
    /// With `readOnly`, the store is only read (an existing store on a read-only file or directory,
    /// or one another process writes): nothing is migrated or marked, and every write fails.
    public init(path: String, create: Bool = true, readOnly: Bool = false) throws(RunStoreError) {
        self.path = path
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && isDirectory.boolValue { throw .isDirectory(path: path) }
        if !exists {
            guard create, !readOnly else { throw .missingStore(path: path) }
            let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
            var parentIsDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: parent, isDirectory: &parentIsDirectory), parentIsDirectory.boolValue else {
                throw .missingDirectory(path: path)
            }
        }
        var configuration = Configuration()
        configuration.readonly = readOnly
        if !readOnly { configuration.journalMode = .wal }
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = true
        configuration.label = "sgdyn run store"
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw Self.translate(error, path: path)
        }
        do {
            try queue.read { db in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                if !tables.isEmpty && !tables.contains("grdb_migrations") { throw RunStoreError.notARunStore(path: path) }
                if try Self.migrator.hasBeenSuperseded(db) { throw RunStoreError.newerSchema(path: path) }
            }
            if readOnly {
                guard try queue.read({ db in try Self.migrator.hasCompletedMigrations(db) }) else {
                    throw RunStoreError.cannotOpen(path: path, reason: "it was written by an older sgdyn; open it once for writing (e.g. sgdyn runs list) to bring it up to date")
                }
            } else {
                try Self.migrate(queue, path: path)
            }
            try Self.checkSchema(queue, path: path)
        } catch {
            throw Self.translate(error, path: path)
        }
        if !readOnly { _ = try markInterrupted() }
    }

    /// Bring the schema up to date. Several processes may create a new store at the same moment:
    /// a creator that loses the race (its `CREATE TABLE` finds the table made) tries again and then
    /// finds the migration applied.
    static func migrate(_ queue: DatabaseQueue, path: String) throws {
        for attempt in 0..<20 {
            do {
                try migrator.migrate(queue)
                return
            } catch let error as DatabaseError where attempt < 19 && (error.message ?? "").contains("already exists") {
                usleep(useconds_t(20_000 * (attempt + 1)))
            }
        }
    }

    /// The columns every run store has; a file without them is damaged or foreign.
    static let requiredColumns: [String: Set<String>] = [
        "run": ["id", "study", "spec", "specHash", "seed", "packageVersion", "startedAt", "endedAt", "status", "errorMessage",
                "pid", "hostname", "claim", "reading", "stdout"],
        "artifact": ["runId", "name", "kind", "contents"],
    ]

    static func checkSchema(_ queue: DatabaseQueue, path: String) throws {
        try queue.read { db in
            for (table, columns) in requiredColumns {
                let have = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").compactMap { $0["name"] as String? })
                guard have.isSuperset(of: columns) else { throw RunStoreError.notARunStore(path: path) }
            }
        }
    }

    /// The schema's history; append a migration for every change, never edit one that shipped.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("study", .text).notNull()
                t.column("spec", .text).notNull()
                t.column("specHash", .text).notNull()
                t.column("seed", .text)
                t.column("packageVersion", .text).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("endedAt", .datetime)
                t.column("status", .text).notNull()
                    .check(sql: "status IN ('running', 'done', 'failed', 'interrupted')")
                t.column("errorMessage", .text)
                t.column("pid", .integer).notNull()
                t.column("hostname", .text).notNull()
                t.column("bootId", .text)
                t.column("processStart", .text)
                t.column("claim", .text)
                t.column("reading", .text)
                t.column("stdout", .text)
            }
            try db.create(index: "run_on_specHash_status", on: "run", columns: ["specHash", "status"])
            try db.create(index: "run_on_status", on: "run", columns: ["status"])
            try db.create(table: "artifact") { t in
                t.column("runId", .integer).notNull().references("run", onDelete: .cascade)
                t.column("name", .text).notNull()
                t.column("kind", .text).notNull().check(sql: "kind IN ('csv', 'json', 'svg', 'txt')")
                t.column("contents", .text).notNull()
                t.primaryKey(["runId", "name"])
            }
        }
        m.registerMigration("v2: experiment") { db in
            try db.alter(table: "run") { t in t.add(column: "experiment", .text) }
        }
        return m
    }

    // MARK: Writing

    /// Record the start of a run (status `running`) and return its id.
    public func begin(study: String, spec: String, seed: String? = nil, packageVersion: String, experiment: String? = nil,
                      owner: ProcessIdentity = .current, startedAt: Date = Date()) throws(RunStoreError) -> Int64 {
        var run = StoredRun(study: study, spec: spec, specHash: SHA256.hex(spec), seed: seed, packageVersion: packageVersion,
                            startedAt: startedAt, status: .running, pid: owner.pid, hostname: owner.hostname,
                            bootId: owner.bootId, processStart: owner.processStart, experiment: experiment)
        do {
            run = try queue.write { [run] db in
                var r = run
                try r.insert(db)
                return r
            }
        } catch {
            throw Self.translate(error, path: path)
        }
        return run.id!
    }

    /// Mark a running run `done` and keep what it found, all in one transaction.
    public func finish(id: Int64, outcome: RunOutcome, endedAt: Date = Date()) throws(RunStoreError) {
        try end(id: id, status: .done, message: nil, outcome: outcome, endedAt: endedAt)
    }

    /// Mark a running run `failed` with the error's one-line message, keeping whatever it had found.
    public func fail(id: Int64, message: String, outcome: RunOutcome = RunOutcome(), endedAt: Date = Date()) throws(RunStoreError) {
        try end(id: id, status: .failed, message: message, outcome: outcome, endedAt: endedAt)
    }

    private func end(id: Int64, status: RunStatus, message: String?, outcome: RunOutcome, endedAt: Date) throws(RunStoreError) {
        // Later files of the same name replace earlier ones, keeping the first position.
        var order: [String] = []
        var latest: [String: String] = [:]
        for a in outcome.artifacts {
            if latest[a.name] == nil { order.append(a.name) }
            latest[a.name] = a.contents
        }
        let artifacts = order.map { StoredArtifact(runId: id, name: $0, kind: ArtifactKind(fileName: $0), contents: latest[$0]!) }
        let (claim, reading, stdout) = (outcome.claim, outcome.reading, outcome.stdout)
        let path = self.path
        do {
            try queue.write { db in
                guard var run = try StoredRun.fetchOne(db, key: id) else { throw RunStoreError.noSuchRun(id: id, path: path) }
                guard run.status == .running else { throw RunStoreError.invalidTransition(id: id, from: run.status, to: status) }
                run.status = status
                run.endedAt = endedAt
                run.errorMessage = message
                run.claim = claim
                run.reading = reading
                run.stdout = stdout
                try run.update(db)
                try StoredArtifact.filter(Column("runId") == id).deleteAll(db)
                for a in artifacts { try a.insert(db) }
            }
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// What `importRuns(from:)` did: the ids the imported runs got here (by their id in the source),
    /// and the source ids skipped because this store already holds the same finished run.
    public struct ImportSummary: Sendable, Equatable {
        public var imported: [(source: Int64, id: Int64)]
        public var duplicates: [(source: Int64, id: Int64)]
        public static func == (a: ImportSummary, b: ImportSummary) -> Bool {
            a.imported.map(\.source) == b.imported.map(\.source) && a.imported.map(\.id) == b.imported.map(\.id)
                && a.duplicates.map(\.source) == b.duplicates.map(\.source) && a.duplicates.map(\.id) == b.duplicates.map(\.id)
        }
    }

    /// Copy every finished (`done`) run of `source`, with its artifacts, into this store in one
    /// transaction. A run whose spec hash is already here as a `done` run with the same artifacts is
    /// a duplicate and skipped; one with the same spec but different artifacts is a conflict: nothing
    /// is imported and `RunStoreError.importConflict` names both runs. Runs that did not finish are
    /// not imported.
    public func importRuns(from source: RunStore) throws(RunStoreError) -> ImportSummary {
        let incoming = try source.runs().filter { $0.status == .done }
        var files: [Int64: [StoredArtifact]] = [:]
        for r in incoming { files[r.id!] = try source.artifacts(of: r.id!) }
        let path = self.path, sourcePath = source.path
        do {
            return try queue.write { db in
                var summary = ImportSummary(imported: [], duplicates: [])
                for r in incoming {
                    let theirs = Dictionary(files[r.id!]!.map { ($0.name, $0.contents) }, uniquingKeysWith: { a, _ in a })
                    let here = try StoredRun.filter(Column("specHash") == r.specHash && Column("status") == RunStatus.done.rawValue)
                        .order(Column("id")).fetchAll(db)
                    var duplicate: Int64?
                    for h in here where duplicate == nil {
                        let mine = Dictionary(try StoredArtifact.filter(Column("runId") == h.id!).fetchAll(db).map { ($0.name, $0.contents) },
                                              uniquingKeysWith: { a, _ in a })
                        if mine == theirs { duplicate = h.id }
                    }
                    if duplicate == nil, let h = here.first {
                        throw RunStoreError.importConflict(source: sourcePath, sourceID: r.id!, id: h.id!, path: path)
                    }
                    if let duplicate { summary.duplicates.append((r.id!, duplicate)); continue }
                    var copy = r
                    copy.id = nil
                    try copy.insert(db)
                    for a in files[r.id!]! { try StoredArtifact(runId: copy.id!, name: a.name, kind: a.kind, contents: a.contents).insert(db) }
                    summary.imported.append((r.id!, copy.id!))
                }
                return summary
            }
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// Remove a run that is still `running` and did no work (it stopped on bad input), with its artifacts.
    public func discard(id: Int64) throws(RunStoreError) {
        let path = self.path
        do {
            try queue.write { db in
                guard let run = try StoredRun.fetchOne(db, key: id) else { throw RunStoreError.noSuchRun(id: id, path: path) }
                guard run.status == .running else { throw RunStoreError.invalidTransition(id: id, from: run.status, to: .running) }
                _ = try StoredRun.deleteOne(db, key: id)
            }
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// Mark as `interrupted` every `running` run whose process is gone, seen from `observer`; return their ids.
    @discardableResult
    public func markInterrupted(observer: ProcessIdentity = .current, at time: Date = Date()) throws(RunStoreError) -> [Int64] {
        do {
            return try queue.write { db in
                var marked: [Int64] = []
                for var run in try StoredRun.filter(Column("status") == RunStatus.running.rawValue).fetchAll(db) {
                    let owner = ProcessIdentity(pid: run.pid, hostname: run.hostname, bootId: run.bootId, processStart: run.processStart)
                    guard owner.isGone(seenFrom: observer) else { continue }
                    run.status = .interrupted
                    run.endedAt = time
                    run.errorMessage = "the process \(run.pid) on \(run.hostname) ended before the run finished"
                    try run.update(db)
                    marked.append(run.id!)
                }
                return marked
            }
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    // MARK: Reading

    /// All runs, oldest first.
    public func runs() throws(RunStoreError) -> [StoredRun] {
        do { return try queue.read { db in try StoredRun.order(Column("id")).fetchAll(db) } } catch { throw Self.translate(error, path: path) }
    }

    /// The run with this id.
    public func run(id: Int64) throws(RunStoreError) -> StoredRun {
        let found: StoredRun?
        do { found = try queue.read { db in try StoredRun.fetchOne(db, key: id) } } catch { throw Self.translate(error, path: path) }
        guard let found else { throw .noSuchRun(id: id, path: path) }
        return found
    }

    /// The artifacts of a run, in the order they were written.
    public func artifacts(of id: Int64) throws(RunStoreError) -> [StoredArtifact] {
        do {
            return try queue.read { db in
                try StoredArtifact.filter(Column("runId") == id).order(Column.rowID).fetchAll(db)
            }
        } catch { throw Self.translate(error, path: path) }
    }

    /// The most recent `done` run whose spec has this hash, if any.
    public func latestDoneRun(specHash: String) throws(RunStoreError) -> StoredRun? {
        do {
            return try queue.read { db in
                try StoredRun.filter(Column("specHash") == specHash && Column("status") == RunStatus.done.rawValue)
                    .order(Column("id").desc).fetchOne(db)
            }
        } catch { throw Self.translate(error, path: path) }
    }

    // MARK: Errors

    static func translate(_ error: any Error, path: String) -> RunStoreError {
        if let e = error as? RunStoreError { return e }
        if let e = error as? DatabaseError {
            switch e.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .notADatabase(path: path)
            case .SQLITE_CANTOPEN: return .cannotOpen(path: path, reason: "SQLite cannot open the file (check that its directory is writable)")
            case .SQLITE_READONLY: return .cannotOpen(path: path, reason: "the file or its directory is read-only")
            case .SQLITE_FULL: return .cannotOpen(path: path, reason: "the disk is full")
            case .SQLITE_BUSY, .SQLITE_LOCKED: return .database("'\(path)' is locked by another process; try again")
            default: return .database(e.message ?? "\(e.resultCode)")
            }
        }
        return .database(String(describing: error).split(separator: "\n").first.map(String.init) ?? "unknown error")
    }
}
