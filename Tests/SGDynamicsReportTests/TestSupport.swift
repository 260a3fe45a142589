import Testing
@testable import SGDynamicsReport

/// Checks that `svg` is well-formed XML whose coordinates are finite, bounded and written with at most
/// two decimals; returns the parsed document.
@discardableResult
func expectWellFormedSVG(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) -> SVGInspector? {
    guard let doc = SVGInspector.parse(svg) else {
        Issue.record("SVG is not well-formed XML", sourceLocation: sourceLocation)
        return nil
    }
    #expect(doc.elements.first?.name == "svg", sourceLocation: sourceLocation)
    for value in doc.geometricValues {
        let lower = value.lowercased()
        #expect(!lower.contains("nan") && !lower.contains("inf"), "non-finite coordinate in \(value.prefix(80))",
                sourceLocation: sourceLocation)
    }
    for token in doc.coordinateTokens {
        let v = Double(token)
        #expect(v != nil && v!.isFinite && abs(v!) <= 1e7, "bad coordinate \(token)", sourceLocation: sourceLocation)
        if let dot = token.firstIndex(of: ".") {
            #expect(token[token.index(after: dot)...].count <= 2, "more than two decimals: \(token)",
                    sourceLocation: sourceLocation)
        }
    }
    return doc
}

/// A small deterministic generator for test ranges.
struct LCG {
    var state: UInt64
    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
}
