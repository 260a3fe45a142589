import Foundation

/// One tick on an `Axis`.
public struct Tick: Sendable, Hashable {
    /// Position in data units.
    public var value: Double
    /// Text shown next to the tick; empty for an unlabeled minor tick.
    public var label: String
    /// Major ticks get a full grid line and a longer tick mark; minor ticks (log 2…9) a faint one.
    public var isMajor: Bool

    public init(value: Double, label: String, isMajor: Bool) {
        self.value = value
        self.label = label
        self.isMajor = isMajor
    }
}
