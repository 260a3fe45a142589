/// A study: what a user runs. A `Codable` configuration in the library's names, and `run(_:)`,
/// which returns a typed, `Codable` result.
///
/// Data flows one way: configuration → objective → algorithm and model → solver → statistics →
/// `StudyResult` → renderers (text, CSV, JSON, SVG, HTML) and the run store. A study never prints
/// and never writes files; it reports progress through its `StudyContext`.
///
///     let study = try GapStudy(GapStudy.Configuration(objective: .init(name: "quartic")))
///     let result = try study.run(StudyContext())
///     print(result.metric("order gf")!.value)   // ≈ 1
///
/// `init(_:)` validates the whole configuration before any work starts and throws a
/// `ConfigurationError` naming the parameter (in the configuration's names) and what would be valid.
public protocol Study: Sendable {
    associatedtype Configuration: StudyConfiguration
    /// The study's name, also its CLI subcommand (e.g. `gap`).
    static var name: String { get }
    /// The validated configuration.
    var configuration: Configuration { get }
    /// Validate `configuration` (throws `ConfigurationError`); no work is done here.
    init(_ configuration: Configuration) throws
    /// Run the study.
    func run(_ context: StudyContext) throws -> StudyResult
    /// An upper estimate of the memory the run needs, in bytes (0: small), so that a caller can
    /// refuse a run too large for its machine before it starts.
    var estimatedBytes: Double { get }
}

extension Study {
    public var estimatedBytes: Double { 0 }
}

/// A study's configuration: `Codable` with every default filled in, so its canonical JSON
/// (sorted keys) identifies a run.
public protocol StudyConfiguration: Codable, Sendable, Equatable {
    /// Content hashes of the input files the configuration names (data CSVs), by path, so that
    /// editing a data file makes a different run. Empty when the study reads no files.
    func inputFiles() -> [String]
    /// The seed of the random numbers, when the study draws any.
    var seedValue: UInt64? { get }
}

extension StudyConfiguration {
    public func inputFiles() -> [String] { [] }
    public var seedValue: UInt64? { nil }
}

extension Study {
    /// The run's identity: the study name, the configuration's canonical JSON and the content hash
    /// of every input file (see `StudySpec`).
    public func spec() throws -> StudySpec { try StudySpec(study: Self.name, configuration: configuration) }
}
