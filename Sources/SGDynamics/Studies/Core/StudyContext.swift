import Foundation

/// What a running study gets from its caller: progress, cancellation and a logger. No globals.
///
/// All three are optional; `StudyContext()` runs silently to the end. Reporting progress never
/// changes a result (the draws do not depend on it).
public struct StudyContext: Sendable {
    /// Called as the parts of a study advance (ensembles report paths done).
    public var progress: (@Sendable (StudyProgress) -> Void)?
    /// Polled between parts of a study; once it returns true the study throws `StudyCancelled`.
    public var isCancelled: @Sendable () -> Bool
    /// Diagnostic messages (warnings are also kept on the result).
    public var log: (@Sendable (String) -> Void)?
    /// Threads for ensembles. Not part of a run's identity: results are bitwise the same for any count.
    public var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                progress: (@Sendable (StudyProgress) -> Void)? = nil,
                isCancelled: @escaping @Sendable () -> Bool = { false },
                log: (@Sendable (String) -> Void)? = nil) {
        self.threads = max(1, threads)
        self.progress = progress
        self.isCancelled = isCancelled
        self.log = log
    }

    /// Throw `StudyCancelled` if the caller asked to stop.
    public func checkCancellation() throws {
        if isCancelled() { throw StudyCancelled() }
    }

    /// A progress callback for an `Ensemble` that is part `offset / paths` of a task of `total`
    /// paths of `steps` steps each, reported under `label`.
    public func ensembleProgress(_ label: String, offset: Int = 0, total: Int, steps: Int) -> (@Sendable (Int, Int) -> Void)? {
        guard let progress else { return nil }
        return { done, _ in progress(StudyProgress(label: label, done: offset + done, total: total, stepsPerUnit: steps)) }
    }

    /// Tell the caller that the part `label` has ended.
    public func finishProgress(_ label: String) {
        progress?(StudyProgress(label: label, done: 0, total: 0, stepsPerUnit: 0, finished: true))
    }
}

/// One progress report: `done` of `total` units (paths) of the part `label`, each unit
/// `stepsPerUnit` steps; `finished` once the part has ended.
public struct StudyProgress: Sendable, Equatable {
    public var label: String
    public var done: Int
    public var total: Int
    public var stepsPerUnit: Int
    public var finished: Bool

    public init(label: String, done: Int, total: Int, stepsPerUnit: Int, finished: Bool = false) {
        self.label = label
        self.done = done
        self.total = total
        self.stepsPerUnit = stepsPerUnit
        self.finished = finished
    }
}

/// Thrown by a study whose context asked it to stop.
public struct StudyCancelled: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "the study was cancelled" }
}
