import Foundation

/// A standalone SVG document: a root `<svg>` element with `width`, `height`, `viewBox` and namespace
/// declarations, an embedded `<style>` sheet, a background rectangle, definitions (clip paths,
/// gradients) and body elements in painting order.
///
/// Elements are appended as markup strings built with `element(_:_:text:)`, which escapes every
/// attribute value and text node, so the document is well-formed XML whatever the labels contain.
/// Coordinates are written with at most two decimals (`number(_:)`) to keep files small.
public struct SVGDocument: Sendable {
    /// Width of the document in pixels.
    public var width: Double
    /// Height of the document in pixels.
    public var height: Double
    /// CSS placed in the document's `<style>` element.
    public var styleSheet: String
    /// Fill of a rectangle behind everything; `nil` leaves the background transparent.
    public var background: Color?

    private var definitions: [String] = []
    private var body: [String] = []

    /// The style sheet used by the charts of this module: one sans-serif font and a few text classes.
    public static let defaultStyleSheet = """
        text { font-family: "DejaVu Sans", "Helvetica Neue", Helvetica, Arial, sans-serif; fill: #262626; }
        .title { font-size: 15px; font-weight: bold; }
        .axis-title { font-size: 13px; }
        .tick { font-size: 11.5px; fill: #404040; }
        .legend { font-size: 12px; }
        .note { font-size: 11px; fill: #555555; }
        """

    /// Creates an empty document of `width` × `height` pixels.
    public init(width: Double, height: Double, styleSheet: String = SVGDocument.defaultStyleSheet,
                background: Color? = .white) {
        self.width = width
        self.height = height
        self.styleSheet = styleSheet
        self.background = background
    }

    /// Appends markup to the `<defs>` section (clip paths, gradients, symbols).
    public mutating func define(_ markup: String) {
        definitions.append(markup)
    }

    /// Appends markup to the body; later elements paint over earlier ones.
    public mutating func append(_ markup: String) {
        body.append(markup)
    }

    /// The complete document, starting with an XML declaration.
    public func render() -> String {
        let w = SVGDocument.number(width), h = SVGDocument.number(height)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
        out += "version=\"1.1\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\">\n"
        out += "<style>\n\(SVGDocument.escape(styleSheet, quotes: false))\n</style>\n"
        if !definitions.isEmpty {
            out += "<defs>\n" + definitions.joined(separator: "\n") + "\n</defs>\n"
        }
        if let background {
            out += SVGDocument.element("rect", [("x", "0"), ("y", "0"), ("width", w), ("height", h),
                                                ("fill", background.hex)]) + "\n"
        }
        for element in body {
            out += element
            out += "\n"
        }
        out += "</svg>\n"
        return out
    }

    // MARK: - Markup helpers

    /// One element: `<name a="v" .../>`, or `<name ...>text</name>` when `text` is given.
    /// Attributes whose value is `nil` are left out; values and text are escaped.
    public static func element(_ name: String, _ attributes: [(String, String?)], text: String? = nil) -> String {
        var out = "<" + name
        for (key, value) in attributes {
            guard let value else { continue }
            out += " \(key)=\"\(escape(value))\""
        }
        if let text {
            out += ">" + escape(text, quotes: false) + "</\(name)>"
        } else {
            out += "/>"
        }
        return out
    }

    /// A `<g>` element around already-built children.
    public static func group(_ attributes: [(String, String?)], _ children: [String]) -> String {
        let open = element("g", attributes)
        return String(open.dropLast(2)) + ">\n" + children.joined(separator: "\n") + "\n</g>"
    }

    /// Escapes text for use in XML character data or attribute values: `&`, `<`, `>` and (unless
    /// `quotes` is false) `"` and `'` become entities; characters that XML 1.0 forbids (C0 controls
    /// other than tab, newline and carriage return, and U+FFFE/U+FFFF) are dropped.
    public static func escape(_ text: String, quotes: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            case "'" where quotes: out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate with at most two decimals and no trailing zeros (`12.5`, `-3`, `0.07`).
    ///
    /// Values are clamped to ±10⁷ so that a diverging input cannot produce an unreadable or enormous
    /// number; non-finite values, which callers should have filtered, become `0`.
    public static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let scaled = (min(max(x, -1e7), 1e7) * 100).rounded()
        var n = Int(scaled)
        if n == 0 { return "0" }
        let negative = n < 0
        n = abs(n)
        var out = negative ? "-" : ""
        out += String(n / 100)
        let fraction = n % 100
        if fraction != 0 {
            out += "."
            if fraction % 10 == 0 {
                out += String(fraction / 10)
            } else {
                if fraction < 10 { out += "0" }
                out += String(fraction)
            }
        }
        return out
    }

    /// A list of points for `points="..."` or a path: `x,y x,y ...`.
    static func pointList(_ points: [PixelPoint]) -> String {
        points.map { number($0.x) + "," + number($0.y) }.joined(separator: " ")
    }

    /// Path data `M x,y L x,y ...` for a polyline.
    static func pathData(_ points: [PixelPoint], closed: Bool = false) -> String {
        guard let first = points.first else { return "" }
        var out = "M" + number(first.x) + "," + number(first.y)
        for p in points.dropFirst() {
            out += " L" + number(p.x) + "," + number(p.y)
        }
        if closed { out += " Z" }
        return out
    }
}
