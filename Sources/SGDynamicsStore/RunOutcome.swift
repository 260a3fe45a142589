/// What a finished (or failed) study hands to the store: its findings and the files it wrote.
public struct RunOutcome: Sendable {
    public var claim: String?
    public var reading: String?
    public var stdout: String?
    /// Files by name, in the order written; a later file with the same name replaces an earlier one.
    public var artifacts: [(name: String, contents: String)]

    public init(claim: String? = nil, reading: String? = nil, stdout: String? = nil, artifacts: [(name: String, contents: String)] = []) {
        self.claim = claim
        self.reading = reading
        self.stdout = stdout
        self.artifacts = artifacts
    }
}
