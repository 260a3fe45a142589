import Foundation
import GRDB

/// One study run as the store keeps it: what was asked (spec), by whom (process), when, how it ended,
/// and what it found (claim, reading, stdout). Its artifacts are `StoredArtifact` rows.
public struct StoredRun: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "run"

    /// Row id, assigned by the store; the `N` of `sgdyn runs show N`.
    public var id: Int64?
    /// The subcommand, e.g. `weak-error`.
    public var study: String
    /// Canonical spec text: the study and every result-relevant option with its value.
    public var spec: String
    /// Lowercase hex SHA-256 of `spec`; equal specs have equal hashes on every machine.
    public var specHash: String
    /// The random seed, when the study has one (kept as text: a UInt64 does not fit SQLite's INTEGER).
    public var seed: String?
    /// Version of the sgdyn package that ran it.
    public var packageVersion: String
    public var startedAt: Date
    /// Set when the run leaves `running` (for `interrupted`: when that was noticed).
    public var endedAt: Date?
    public var status: RunStatus
    /// The failure's one-line message, for `failed` runs.
    public var errorMessage: String?
    /// Process id, host name, boot id and process start time of the process that ran it: enough to
    /// tell later, on the same host, whether that process is still alive.
    public var pid: Int64
    public var hostname: String
    public var bootId: String?
    public var processStart: String?
    /// The statement of the theory the study tests.
    public var claim: String?
    /// One paragraph reading the measured numbers against the claim.
    public var reading: String?
    /// Everything the study printed to stdout.
    public var stdout: String?
    /// The experiment file's name and description and the sweep point, when `sgdyn run` ran it.
    public var experiment: String?

    public init(id: Int64? = nil, study: String, spec: String, specHash: String, seed: String?, packageVersion: String,
                startedAt: Date, endedAt: Date? = nil, status: RunStatus, errorMessage: String? = nil,
                pid: Int64, hostname: String, bootId: String?, processStart: String?,
                claim: String? = nil, reading: String? = nil, stdout: String? = nil, experiment: String? = nil) {
        self.id = id
        self.study = study
        self.spec = spec
        self.specHash = specHash
        self.seed = seed
        self.packageVersion = packageVersion
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.status = status
        self.errorMessage = errorMessage
        self.pid = pid
        self.hostname = hostname
        self.bootId = bootId
        self.processStart = processStart
        self.claim = claim
        self.reading = reading
        self.stdout = stdout
        self.experiment = experiment
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// Wall-clock seconds from start to end, when the run has ended.
    public var duration: TimeInterval? { endedAt.map { $0.timeIntervalSince(startedAt) } }
}
