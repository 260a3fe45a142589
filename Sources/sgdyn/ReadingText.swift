import Foundation
import SGDynamics

/// Phrases for the claims and readings that studies hand to `StudyRecording`: short, from the numbers.
enum ReadingText {
    /// A printed claim line without its leading `Claim: ` / `Claims: ` label and surrounding blank lines.
    static func claim(_ printed: String) -> String {
        var s = printed.trimmingCharacters(in: .whitespacesAndNewlines)
        for label in ["Claims: ", "Claim: "] where s.hasPrefix(label) { s.removeFirst(label.count) }
        return s
    }

    /// "SME-2 at order 2.014 ± 0.015 (expected 2: inside the 95% interval)".
    static func order(_ subject: String, _ fit: OrderFit?, expected: Double?) -> String {
        guard let fit else { return "\(subject): too few usable points to fit an order" }
        var s = "\(subject) at order \(fit.description)"
        if let e = expected {
            let e = fmt(e, 3)
            if fit.halfWidth.isNaN {
                s += " (expected \(e); two points give no interval)"
            } else {
                let inside = abs(fit.order - (Double(e) ?? .nan)) <= fit.halfWidth
                s += " (expected \(e): \(inside ? "inside" : "outside") the 95% interval"
                if !inside, let last = fit.localOrders.last {
                    s += "; the local order between the two smallest η is \(fmt(last, 3)): the fit over the grid "
                        + "includes the pre-asymptotic range"
                }
                s += ")"
            }
        }
        return s
    }

    /// "a, b and c".
    static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
    }
}
