/// Writes a study's command line as an experiment file (YAML), the inverse of `SpecFile`.
///
/// The file is a complete record: `study:` first, then every result-relevant option in name order
/// with its value, the default where the command line gave none, and `null` for an option that is
/// unset and has no default. Output-only options (`StudyOption.outputOnlyNames`) appear only when the
/// command line gave them. A value with commas is written as a list (`etas: [0.1, 0.05]`), a flag as
/// `true`/`false`; text that YAML would read differently is quoted.
enum SpecWriter {
    /// The experiment file of `invocation`.
    static func yaml(for invocation: StudyInvocation) -> String {
        var lines = ["# sgdyn experiment file; run it with: sgdyn run FILE", "study: \(invocation.study)"]
        let shown = invocation.resolved.filter { !$0.option.isOutputOnly || invocation.isGiven($0.option.name) }
        for (option, value) in shown.sorted(by: { $0.option.name < $1.option.name }) {
            lines.append("\(option.name): \(field(value, isFlag: option.isFlag))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The YAML text of one field's value.
    static func field(_ value: String?, isFlag: Bool) -> String {
        guard let value else { return "null" }
        if isFlag { return value }
        guard value.contains(",") else { return scalar(value) }
        return "[" + value.split(separator: ",", omittingEmptySubsequences: false).map { scalar(String($0)) }.joined(separator: ", ") + "]"
    }

    /// Words YAML reads as null or a boolean.
    private static let specialWords: Set<String> = [
        "null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False", "FALSE",
        "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
    ]

    /// A scalar as plain YAML when that reads back as the same text, else double-quoted.
    static func scalar(_ text: String) -> String {
        let plain = text.wholeMatch(of: /[A-Za-z0-9_.\/+-][A-Za-z0-9_.\/+\-^=@:]*/) != nil
            && !text.hasSuffix(":") && !text.contains(": ") && !specialWords.contains(text)
            && !(text.hasPrefix("-") && text.count == 1)
        if plain { return text }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 { out += String(format: "\\x%02X", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
