/// A figure of a result as chart values: axes, series of points (with error bars), and guide
/// lines such as the slope of an expected order. No SVG here: `SGDynamicsReport` draws it.
public struct ResultFigure: Codable, Sendable, Equatable {
    public enum AxisScale: String, Codable, Sendable { case linear, log }

    /// A stable name, also the SVG file's stem (e.g. `gap`).
    public var name: String
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xScale: AxisScale
    public var yScale: AxisScale
    public var series: [FigureSeries]
    public var guides: [FigureGuide]
    /// Histogram bars drawn under the series.
    public var bars: [FigureBars] = []
    /// A map of values on a grid (a 2-D density), drawn as a heat map instead of lines.
    public var heatmap: FigureGrid?
    /// A function on a rectangle drawn as a heat map with contour lines, an optional field of
    /// arrows and trajectories over it (`series` are then paths in the plane).
    public var contour: FigureGrid?
    /// The arrows of a contour figure: (u, v) on their own grid over the same rectangle.
    public var arrows: FigureArrows?
    /// Colour by log(value − min + ε) (for values spanning many decades).
    public var logColour: Bool = false
    /// One unit the same length on both axes.
    public var equalAspect: Bool = false
    /// Width and height in pixels.
    public var width: Int = 720
    public var height: Int = 480

    public init(name: String, title: String, xLabel: String, yLabel: String, xScale: AxisScale = .linear,
                yScale: AxisScale = .linear, series: [FigureSeries] = [], guides: [FigureGuide] = []) {
        self.name = name
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
        self.series = series
        self.guides = guides
    }
}

/// Points (x, y) of one series, with optional symmetric error bars, drawn as a line with markers.
public struct FigureSeries: Codable, Sendable, Equatable {
    public enum Marker: String, Codable, Sendable { case none, circle, square, triangle, diamond }
    public var label: String
    public var x: [Double]
    public var y: [Double]
    /// Half-widths of error bars, one per point.
    public var errors: [Double]?
    public var marker: Marker
    /// Draw markers only, no connecting line.
    public var pointsOnly: Bool
    /// A shaded band between `lower` and `upper` (one value per point), e.g. mean ± sd.
    public var lower: [Double]?
    public var upper: [Double]?
    public var dash: Dash = .solid
    /// A colour as `#rrggbb` (nil: the palette's next).
    public var color: String?
    /// Line width in pixels.
    public var lineWidth: Double = 1.75

    public enum Dash: String, Codable, Sendable { case solid, dashed, dotted }

    public init(label: String, x: [Double], y: [Double], errors: [Double]? = nil, marker: Marker = .circle, pointsOnly: Bool = false,
                band: (lower: [Double], upper: [Double])? = nil, dash: Dash = .solid, color: String? = nil, lineWidth: Double = 1.75) {
        precondition(x.count == y.count && (errors == nil || errors!.count == x.count), "series lengths differ")
        precondition(band == nil || (band!.lower.count == x.count && band!.upper.count == x.count), "band lengths differ")
        self.label = label
        self.x = x
        self.y = y
        self.errors = errors
        self.marker = marker
        self.pointsOnly = pointsOnly
        self.lower = band?.lower
        self.upper = band?.upper
        self.dash = dash
        self.color = color
        self.lineWidth = lineWidth
    }
}

/// A guide line: a power law of a given slope through a point (a straight line on log–log axes),
/// or a horizontal or vertical line.
public struct FigureGuide: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case slope, horizontal, vertical }
    public var kind: Kind
    public var label: String
    /// The slope (for `.slope`).
    public var slope: Double
    /// The anchor point (x for `.vertical`, y for `.horizontal`).
    public var x: Double
    public var y: Double

    public static func slope(_ s: Double, through x: Double, _ y: Double, label: String) -> FigureGuide {
        FigureGuide(kind: .slope, label: label, slope: s, x: x, y: y)
    }
    public static func horizontal(_ y: Double, label: String) -> FigureGuide {
        FigureGuide(kind: .horizontal, label: label, slope: 0, x: 0, y: y)
    }
    public static func vertical(_ x: Double, label: String) -> FigureGuide {
        FigureGuide(kind: .vertical, label: label, slope: 0, x: x, y: 0)
    }
}

/// Histogram bars: `edges` (one more than `heights`), drawn as filled rectangles.
public struct FigureBars: Codable, Sendable, Equatable {
    public var label: String
    public var edges: [Double]
    public var heights: [Double]
    public var color: String?
    public var opacity: Double

    public init(label: String, edges: [Double], heights: [Double], color: String? = nil, opacity: Double = 0.45) {
        precondition(edges.count == heights.count + 1, "bars need one more edge than heights")
        self.label = label
        self.edges = edges
        self.heights = heights
        self.color = color
        self.opacity = opacity
    }
}

/// Values on a regular grid of nodes over a rectangle: `values[j][i]` at
/// (x₀ + i (x₁ − x₀)/(nx − 1), y₀ + j (y₁ − y₀)/(ny − 1)), kept in single precision (a picture
/// needs no more, and the result's JSON stays small).
public struct FigureGrid: Codable, Sendable, Equatable {
    public var x: ClosedRange<Double>
    public var y: ClosedRange<Double>
    public var values: [[Float]]
    /// What the values are (the colour bar's title).
    public var valueLabel: String

    public init(x: ClosedRange<Double>, y: ClosedRange<Double>, values: [[Double]], valueLabel: String) {
        self.x = x
        self.y = y
        self.values = values.map { row in row.map { Float($0) } }
        self.valueLabel = valueLabel
    }

    /// The values in double precision, `[j][i]`.
    public var doubleValues: [[Double]] { values.map { row in row.map { Double($0) } } }

    /// `f` sampled on an `nx × ny` grid of nodes.
    public init(x: ClosedRange<Double>, y: ClosedRange<Double>, nodes nx: Int, _ ny: Int, valueLabel: String, _ f: (Double, Double) -> Double) {
        let values = (0..<ny).map { j in
            (0..<nx).map { i in
                f(x.lowerBound + Double(i) * (x.upperBound - x.lowerBound) / Double(nx - 1),
                  y.lowerBound + Double(j) * (y.upperBound - y.lowerBound) / Double(ny - 1))
            }
        }
        self.init(x: x, y: y, values: values, valueLabel: valueLabel)
    }

    /// Bilinear interpolation between the nodes (NaN outside the rectangle).
    public func value(_ px: Double, _ py: Double) -> Double {
        let ny = values.count, nx = values.first?.count ?? 0
        guard nx >= 2, ny >= 2, x.contains(px), y.contains(py) else { return nx == 1 && ny == 1 ? Double(values[0][0]) : .nan }
        let fx = (px - x.lowerBound) / (x.upperBound - x.lowerBound) * Double(nx - 1)
        let fy = (py - y.lowerBound) / (y.upperBound - y.lowerBound) * Double(ny - 1)
        let i = min(Int(fx), nx - 2), j = min(Int(fy), ny - 2)
        let tx = fx - Double(i), ty = fy - Double(j)
        let a = Double(values[j][i]) * (1 - tx) + Double(values[j][i + 1]) * tx
        let b = Double(values[j + 1][i]) * (1 - tx) + Double(values[j + 1][i + 1]) * tx
        return a * (1 - ty) + b * ty
    }
}

/// A vector field (u, v) sampled on a grid of nodes, for the arrows of a contour figure.
public struct FigureArrows: Codable, Sendable, Equatable {
    public var u: FigureGrid
    public var v: FigureGrid
    public init(u: FigureGrid, v: FigureGrid) { self.u = u; self.v = v }
}
