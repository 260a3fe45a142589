/// A `noise` or `stability` run that could not go on once started (the minimizer search diverged,
/// no learning rate could be derived from the curvature, the point has no curvature): one line for
/// the reader. Values that can be checked before any work are `ConfigurationError`s instead.
public struct FiniteSumStudyError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
