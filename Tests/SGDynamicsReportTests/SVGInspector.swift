import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses an SVG string with Foundation's XMLParser and records its elements, for tests.
final class SVGInspector: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
        /// `class` attributes of the enclosing elements, outermost first.
        var ancestorClasses: [String]
    }

    private(set) var elements: [Element] = []
    private var open: [Int] = []
    private(set) var parseError: String?

    /// Parses `svg`; `nil` when it is not well-formed XML.
    static func parse(_ svg: String) -> SVGInspector? {
        let inspector = SVGInspector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = inspector
        return parser.parse() ? inspector : nil
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        let classes = open.compactMap { elements[$0].attributes["class"] }
        elements.append(Element(name: elementName, attributes: attributeDict, text: "", ancestorClasses: classes))
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
        open.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let i = open.last { elements[i].text += string }
    }

    func elements(named name: String) -> [Element] { elements.filter { $0.name == name } }

    /// Texts of all `<text>` elements.
    var texts: [String] { elements(named: "text").map(\.text) }

    static let geometricAttributes: Set<String> = ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width",
                                                   "height", "points", "d"]

    /// Values of geometric attributes (coordinates, sizes, path data, point lists).
    var geometricValues: [String] {
        elements.flatMap { e in e.attributes.filter { SVGInspector.geometricAttributes.contains($0.key) }.map(\.value) }
    }

    /// Every number in geometric attributes and path data (path commands and separators split them).
    var coordinates: [Double] { coordinateTokens.map { Double($0) ?? .nan } }

    /// Raw numeric tokens of geometric attributes, as written.
    var coordinateTokens: [String] {
        var out: [String] = []
        for e in elements {
            for key in SVGInspector.geometricAttributes {
                guard let value = e.attributes[key] else { continue }
                var token = ""
                for ch in value + " " {
                    if ch.isNumber || ch == "." || ch == "-" {
                        token.append(ch)
                    } else {
                        if !token.isEmpty { out.append(token) }
                        token = ""
                    }
                }
            }
        }
        return out
    }
}
