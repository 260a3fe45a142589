/// The format of a stored artifact, read off its file name's extension.
public enum ArtifactKind: String, Codable, Sendable, CaseIterable {
    case csv
    case json
    case svg
    case txt

    /// The kind of a file called `name`: its extension when that is one of the four kinds, else `txt`.
    public init(fileName name: String) {
        let ext = name.split(separator: ".", omittingEmptySubsequences: false).last.map { $0.lowercased() } ?? ""
        self = name.contains(".") ? ArtifactKind(rawValue: ext) ?? .txt : .txt
    }
}
