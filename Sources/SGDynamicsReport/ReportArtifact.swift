/// A file a run wrote, as the report receives it: name, kind (`csv`, `json`, `svg` or `txt`) and text.
public struct ReportArtifact: Sendable {
    public var name: String
    public var kind: String
    public var contents: String

    public init(name: String, kind: String, contents: String) {
        self.name = name
        self.kind = kind
        self.contents = contents
    }
}
