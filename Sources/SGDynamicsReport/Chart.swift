import Foundation

/// A figure that renders itself as a standalone SVG document.
///
/// Every chart in this module (`LinePlot`, `ContourPlot`, `Heatmap`) is a value: configure it, then call
/// `render(width:height:)`. Rendering never throws and never traps on bad data: non-finite values are
/// skipped, values that cannot be shown on a log axis are skipped, and coordinates are clipped to a sane
/// range, so the result is always well-formed XML.
public protocol Chart {
    /// The chart as a standalone SVG document of the given size in pixels.
    func render(width: Int, height: Int) -> String
}

extension Chart {
    /// Renders the chart and writes it, UTF-8 encoded, to `url`.
    public func write(to url: URL, width: Int = 720, height: Int = 480) throws {
        try Data(render(width: width, height: height).utf8).write(to: url, options: .atomic)
    }
}
