import Foundation

/// A figure of a matrix or a grid of values as coloured cells, with a colour bar.
///
///     var map = Heatmap(title: "Transfer operator", values: matrix, xLabel: "from", yLabel: "to")
///     map.rowsTopToBottom = true          // matrix convention: row 0 at the top
///     let svg = map.render(width: 640, height: 520)
///
/// `values[row][column]`; columns run along x over `xRange`, rows along y over `yRange` (by default
/// 0...columns and 0...rows, so cell (r, c) spans [c, c+1] × [r, r+1]). With `rowsTopToBottom` the y
/// axis runs downwards, so row 0 and y = 0 are at the top. Small grids (≤ 1024 cells) are
/// drawn as rectangles, larger ones as one embedded PNG with nearest-neighbour scaling. Non-finite cells
/// are light grey.
public struct Heatmap: Chart, Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// Name of the values on the colour bar.
    public var valueLabel: String
    public var values: [[Double]]
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    /// `true`: row 0 at the top (matrix convention); `false`: row 0 at the bottom (grid convention).
    public var rowsTopToBottom = false
    public var colorMap: ColorMap = .viridis
    public var colorScaling: ColorScaling = .linear
    /// Fixed colour limits (for example symmetric ones with `.blueRed`); `nil` uses the data range.
    public var valueRange: ClosedRange<Double>?
    public var equalAspect = false
    public var showsColorBar = true

    /// - Precondition: every row has the same number of values.
    public init(title: String = "", values: [[Double]], xLabel: String = "", yLabel: String = "",
                valueLabel: String = "", xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil) {
        precondition(values.allSatisfy { $0.count == (values.first?.count ?? 0) }, "Heatmap: rows differ in length")
        self.title = title
        self.values = values
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.valueLabel = valueLabel
        self.xRange = xRange
        self.yRange = yRange
    }

    public func render(width: Int = 640, height: Int = 520) -> String {
        let w = Double(max(width, 120)), h = Double(max(height, 100))
        let rows = values.count, cols = values.first?.count ?? 0
        let normalizer = ValueNormalizer(values: values.flatMap { $0 }, scaling: colorScaling, range: valueRange)
        var barTitle = valueLabel
        if case .logarithmic = colorScaling {
            barTitle = valueLabel.isEmpty ? "value − min" : "\(valueLabel) − min"
        }
        let colorBar = showsColorBar
            ? ColorBar(axis: normalizer.colorBarAxis(title: barTitle, targetCount: max(2, Int((h - 100) / 45))),
                       colorMap: colorMap)
            : nil
        let xr = xRange ?? 0...Double(max(cols, 1)), yr = yRange ?? 0...Double(max(rows, 1))
        let (xt, yt) = (xLabel, yLabel)
        let frame = PlotFrame.layout(width: w, height: h, title: title, rightReserve: colorBar?.reservedWidth ?? 0,
                                     equalAspect: equalAspect, yReversed: rowsTopToBottom,
                                     makeX: { Axis(scale: .linear, title: xt, domain: xr, targetTickCount: $0) },
                                     makeY: { Axis(scale: .linear, title: yt, domain: yr, targetTickCount: $0) })

        var doc = SVGDocument(width: w, height: h)
        doc.define(frame.clipDefinition())
        if rows > 0 && cols > 0 {
            let missing = Color(hex: "#d9d9d9")
            // Colour of the cell drawn at visual row `r` (0 = top).
            func color(row r: Int, column c: Int) -> Color {
                let dataRow = rowsTopToBottom ? r : rows - 1 - r
                return normalizer.fraction(of: values[dataRow][c]).map(colorMap.color(at:)) ?? missing
            }
            let rect = frame.rect
            var cells: [String] = []
            if rows * cols <= 1024 {
                let cw = rect.width / Double(cols), ch = rect.height / Double(rows)
                for r in 0..<rows {
                    for c in 0..<cols {
                        // Overlap neighbours by a fraction of a pixel to avoid hairline seams.
                        cells.append(SVGDocument.element("rect", [
                            ("x", n(rect.left + Double(c) * cw)), ("y", n(rect.top + Double(r) * ch)),
                            ("width", n(cw + 0.3)), ("height", n(ch + 0.3)),
                            ("fill", color(row: r, column: c).hex),
                        ]))
                    }
                }
            } else {
                var rgb = [UInt8](repeating: 0, count: rows * cols * 3)
                for r in 0..<rows {
                    for c in 0..<cols {
                        let k = 3 * (r * cols + c)
                        (rgb[k], rgb[k + 1], rgb[k + 2]) = color(row: r, column: c).bytes
                    }
                }
                let png = PNGEncoder.encode(width: cols, height: rows, rgb: rgb)
                cells.append(SVGDocument.element("image", [
                    ("x", n(rect.left)), ("y", n(rect.top)), ("width", n(rect.width)), ("height", n(rect.height)),
                    ("preserveAspectRatio", "none"), ("image-rendering", "optimizeSpeed"),
                    ("style", "image-rendering: pixelated"),
                    ("xlink:href", "data:image/png;base64," + png.base64EncodedString()),
                ]))
            }
            doc.append(SVGDocument.group([("clip-path", frame.clipReference)], cells))
        }
        doc.append(frame.axesMarkup())
        if let colorBar {
            doc.append(colorBar.markup(beside: frame.rect, id: frame.clipID + "-bar", document: &doc))
        }
        doc.append(frame.titleMarkup(title, figureWidth: w))
        return doc.render()
    }

    private func n(_ x: Double) -> String { SVGDocument.number(x) }
}
