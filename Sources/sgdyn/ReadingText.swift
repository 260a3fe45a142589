import Foundation
import SGDynamics

/// Phrases for the claims and readings that the older studies hand to `StudyRecording` (library
/// studies build theirs with `NumberText`).
enum ReadingText {
    /// A printed claim line without its leading `Claim: ` / `Claims: ` label and surrounding blank lines.
    static func claim(_ printed: String) -> String {
        var s = printed.trimmingCharacters(in: .whitespacesAndNewlines)
        for label in ["Claims: ", "Claim: "] where s.hasPrefix(label) { s.removeFirst(label.count) }
        return s
    }

    /// "SME-2 at order 2.014 ± 0.015 (expected 2: inside the 95% interval)".
    static func order(_ subject: String, _ fit: OrderFit?, expected: Double?) -> String {
        NumberText.order(subject, fit, expected: expected)
    }

    /// "a, b and c".
    static func list(_ items: [String]) -> String { NumberText.list(items) }
}
