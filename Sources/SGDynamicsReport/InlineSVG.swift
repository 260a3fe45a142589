/// An SVG document made ready to sit inside an HTML page: XML prolog, doctype and comments before the
/// root removed, namespace declarations dropped (HTML's parser supplies them), and every `id` with its
/// `url(#…)` and `href="#…"` references prefixed, so that several pictures on one page cannot capture
/// one another's clip paths or gradients.
public struct InlineSVG: Sendable {
    /// The markup, starting at `<svg`.
    public let markup: String

    /// Prepare `svg`, prefixing its ids with `prefix` (e.g. `r3-p1-`). Nil when there is no `<svg` root.
    public init?(_ svg: String, idPrefix prefix: String) {
        guard let root = svg.range(of: "<svg") else { return nil }
        var body = String(svg[root.lowerBound...])
        if let end = body.range(of: "</svg>", options: .backwards) { body = String(body[..<end.upperBound]) }
        // Namespace declarations on the root element only.
        if let close = body.firstIndex(of: ">") {
            var tag = String(body[..<close])
            for attribute in [#" xmlns="http://www.w3.org/2000/svg""#, #" xmlns:xlink="http://www.w3.org/1999/xlink""#] {
                tag = tag.replacingOccurrences(of: attribute, with: "")
            }
            body = tag + body[close...]
        }
        let ids = Self.ids(in: body)
        for id in ids.sorted(by: { $0.count > $1.count }) {
            for (old, new) in [("id=\"\(id)\"", "id=\"\(prefix)\(id)\""), ("url(#\(id))", "url(#\(prefix)\(id))"),
                               ("href=\"#\(id)\"", "href=\"#\(prefix)\(id)\"")] {
                body = body.replacingOccurrences(of: old, with: new)
            }
        }
        markup = body
    }

    /// Values of every `id="…"` attribute.
    static func ids(in text: String) -> Set<String> {
        var out: Set<String> = []
        var rest = text[...]
        while let r = rest.range(of: " id=\"") {
            let after = rest[r.upperBound...]
            guard let end = after.firstIndex(of: "\"") else { break }
            out.insert(String(after[..<end]))
            rest = after[end...]
        }
        return out
    }
}
