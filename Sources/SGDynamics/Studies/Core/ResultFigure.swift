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

    public init(label: String, x: [Double], y: [Double], errors: [Double]? = nil, marker: Marker = .circle, pointsOnly: Bool = false) {
        precondition(x.count == y.count && (errors == nil || errors!.count == x.count), "series lengths differ")
        self.label = label
        self.x = x
        self.y = y
        self.errors = errors
        self.marker = marker
        self.pointsOnly = pointsOnly
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
