import Testing
@testable import SGDynamicsReport

@Suite("Tick labels and number formatting")
struct TickLabelTests {
    @Test func compactLabels() {
        #expect(TickLabel.compact(0.001) == "0.001")
        #expect(TickLabel.compact(1e-4) == "1e-4")
        #expect(TickLabel.compact(2.5) == "2.5")
        #expect(TickLabel.compact(0) == "0")
        #expect(TickLabel.compact(-0.0) == "0")
        #expect(TickLabel.compact(100) == "100")
        #expect(TickLabel.compact(12345) == "12345")
        #expect(TickLabel.compact(1e5) == "1e5")
        #expect(TickLabel.compact(2.5e6) == "2.5e6")
        #expect(TickLabel.compact(-3e-7) == "-3e-7")
        #expect(TickLabel.compact(0.30000000000000004) == "0.3")
        #expect(TickLabel.compact(9.99999999e-5) == "1e-4")
    }

    @Test func linearLabelsShareDecimals() {
        #expect(TickLabel.linearLabels([0, 0.5, 1, 1.5], stepExponent: -1) == ["0", "0.5", "1.0", "1.5"])
        #expect(TickLabel.linearLabels([0, 2e-5, 4e-5], stepExponent: -5) == ["0", "2e-5", "4e-5"])
        #expect(TickLabel.linearLabels([0, 200000, 400000], stepExponent: 5) == ["0", "2e5", "4e5"])
    }

    /// Coordinates use at most two decimals, drop trailing zeros, and never print NaN or huge values.
    @Test func svgNumbers() {
        #expect(SVGDocument.number(12.5) == "12.5")
        #expect(SVGDocument.number(3) == "3")
        #expect(SVGDocument.number(0.07) == "0.07")
        #expect(SVGDocument.number(-1.234) == "-1.23")
        #expect(SVGDocument.number(-0.001) == "0")
        #expect(SVGDocument.number(2.999) == "3")
        #expect(SVGDocument.number(.nan) == "0")
        #expect(SVGDocument.number(1e300) == "10000000")
    }

    @Test func escaping() {
        #expect(SVGDocument.escape("a<b&c>\"d'") == "a&lt;b&amp;c&gt;&quot;d&apos;")
        #expect(SVGDocument.escape("bell\u{7}tab\t") == "belltab\t")
        #expect(SVGDocument.escape("η ≈ 0.1") == "η ≈ 0.1")
    }
}
