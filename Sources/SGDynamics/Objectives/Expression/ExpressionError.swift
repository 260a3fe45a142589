/// A formula that cannot be read or compiled: the 1-based column of the offending character in the
/// formula's text and what is wrong there, e.g. `column 14: unknown function 'sinn' (did you mean 'sin'?)`.
public struct ExpressionError: Error, CustomStringConvertible, Equatable, Sendable {
    /// 1-based column in the formula (0 when the error concerns the formula as a whole).
    public let column: Int
    public let message: String
    /// The setting at fault when it is not the formula's text: `variables`, `parameters` or `noise`.
    public let setting: String?
    public init(column: Int, _ message: String, setting: String? = nil) {
        self.column = column
        self.message = message
        self.setting = setting
    }
    public var description: String { column > 0 ? "column \(column): \(message)" : message }
}
