import GRDB

/// One file a run wrote (a table, a summary, a picture), kept whole as a child row of its run.
public struct StoredArtifact: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "artifact"

    /// The run this artifact belongs to.
    public var runId: Int64
    /// The file name the study gave it, e.g. `weak-error.csv`; unique within a run.
    public var name: String
    public var kind: ArtifactKind
    /// The file's text.
    public var contents: String

    public init(runId: Int64, name: String, kind: ArtifactKind, contents: String) {
        self.runId = runId
        self.name = name
        self.kind = kind
        self.contents = contents
    }
}
