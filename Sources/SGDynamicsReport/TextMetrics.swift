import Foundation

/// Approximate text extents for layout, without a font engine.
///
/// Widths are estimated per character for a sans-serif face (digits ≈ 0.56 em, narrow punctuation
/// ≈ 0.3 em, capitals ≈ 0.68 em); they err on the wide side so that labels do not overlap.
enum TextMetrics {
    static func width(of text: String, fontSize: Double) -> Double {
        var ems = 0.0
        for c in text {
            switch c {
            case ".", ",", ":", ";", "i", "l", "j", "!", "|", "'", " ", "(", ")", "[", "]", "t", "f", "I":
                ems += 0.33
            case "m", "w", "M", "W", "—":
                ems += 0.85
            default:
                ems += c.isUppercase ? 0.68 : 0.58
            }
        }
        return ems * fontSize
    }
}
