import Foundation

/// An opaque sRGB colour with components in 0...1.
public struct Color: Sendable, Hashable {
    public var red: Double
    public var green: Double
    public var blue: Double

    /// A colour from components in 0...1 (clamped).
    public init(red: Double, green: Double, blue: Double) {
        self.red = Color.clamp(red)
        self.green = Color.clamp(green)
        self.blue = Color.clamp(blue)
    }

    /// A colour from `#RRGGBB` (the `#` is optional).
    ///
    /// - Precondition: `hex` has six hexadecimal digits.
    public init(hex: String) {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else {
            preconditionFailure("Color(hex:) needs #RRGGBB, got \(hex)")
        }
        self.init(red: Double((value >> 16) & 0xFF) / 255,
                  green: Double((value >> 8) & 0xFF) / 255,
                  blue: Double(value & 0xFF) / 255)
    }

    /// `#rrggbb`.
    public var hex: String {
        let (r, g, b) = bytes
        return "#" + [r, g, b].map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }

    /// The components as bytes.
    public var bytes: (UInt8, UInt8, UInt8) {
        (UInt8((red * 255).rounded()), UInt8((green * 255).rounded()), UInt8((blue * 255).rounded()))
    }

    /// Linear interpolation in sRGB: `self` at `fraction` 0, `other` at 1.
    public func mixed(with other: Color, fraction: Double) -> Color {
        let t = Color.clamp(fraction)
        return Color(red: red + (other.red - red) * t,
                     green: green + (other.green - green) * t,
                     blue: blue + (other.blue - blue) * t)
    }

    /// Luma on the sRGB components (Rec. 709 weights): near 1 for light colours, near 0 for dark ones.
    public var luminance: Double { 0.2126 * red + 0.7152 * green + 0.0722 * blue }

    public static let white = Color(red: 1, green: 1, blue: 1)
    public static let black = Color(red: 0, green: 0, blue: 0)
    /// Mid grey used for reference lines.
    public static let grey = Color(hex: "#7f7f7f")

    private static func clamp(_ x: Double) -> Double {
        x.isNaN ? 0 : min(max(x, 0), 1)
    }
}
