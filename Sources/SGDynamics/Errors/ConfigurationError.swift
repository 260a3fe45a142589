/// A configuration a study cannot run: the parameter (in the library's names, e.g.
/// `learningRates`; the CLI maps it to its flag) and what would be valid, in one line.
///
/// Thrown before any work starts. A programmer error stays a `precondition`; a value a user chose
/// is never one.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The parameter, e.g. `horizon` or `objective.data`.
    public let field: String
    /// What is wrong and what would be valid.
    public let message: String
    public init(field: String, _ message: String) { self.field = field; self.message = message }
    public var description: String { "\(field): \(message)" }

    /// The same error with its field renamed (e.g. to a CLI flag).
    public func renamed(_ field: String) -> ConfigurationError { ConfigurationError(field: field, message) }
}
