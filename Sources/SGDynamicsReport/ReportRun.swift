import SGDynamics

/// One run as the HTML report shows it: plain values read from the run store by the caller.
public struct ReportRun: Sendable {
    /// The store's id of the run.
    public var id: Int64
    /// The study (subcommand), e.g. `weak-error`.
    public var study: String
    /// What the study asks, in one sentence (the subcommand's abstract).
    public var question: String?
    /// The theory the run tests.
    public var claim: String?
    /// The spec text (canonical `name=value` lines or a command line).
    public var spec: String
    public var status: String
    /// Start time, already formatted.
    public var started: String
    /// Duration, already formatted, when the run ended.
    public var duration: String?
    public var seed: String?
    public var packageVersion: String?
    /// The failure's message, for a failed or interrupted run.
    public var errorMessage: String?
    /// One paragraph reading the numbers against the claim.
    public var reading: String?
    /// What the run printed.
    public var stdout: String?
    /// The files it wrote, in order: CSV become tables, SVG pictures, the rest are listed.
    public var artifacts: [ReportArtifact]
    /// A heading that replaces "Run N · study" (e.g. a part of the tour); the run and study follow it.
    public var heading: String? = nil
    /// The study's result, when the run kept one (`result.json`): the report then shows its summary
    /// tables, warnings and figures (drawn anew from the numbers), and links its raw series as CSV.
    public var result: StudyResult? = nil
    /// The experiment file the run came from (name, description, sweep point), if any.
    public var experiment: String? = nil

    public init(id: Int64, study: String, question: String? = nil, claim: String? = nil, spec: String, status: String,
                started: String, duration: String? = nil, seed: String? = nil, packageVersion: String? = nil,
                errorMessage: String? = nil, reading: String? = nil, stdout: String? = nil, artifacts: [ReportArtifact] = []) {
        self.id = id
        self.study = study
        self.question = question
        self.claim = claim
        self.spec = spec
        self.status = status
        self.started = started
        self.duration = duration
        self.seed = seed
        self.packageVersion = packageVersion
        self.errorMessage = errorMessage
        self.reading = reading
        self.stdout = stdout
        self.artifacts = artifacts
    }
}
