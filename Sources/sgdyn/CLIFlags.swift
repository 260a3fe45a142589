import SGDynamics

/// The CLI's names for the library's parameters.
enum CLIFlags {
    /// The flag of `field`: an override, a shared name, `field` itself when it already is a flag,
    /// else `--` and its kebab-case (`learningRates` → `--learning-rates`).
    static func flag(_ field: String, overrides: [String: String] = [:]) -> String {
        if field.hasPrefix("-") || field.hasPrefix("<") { return field }
        if let f = overrides[field] ?? shared[field] { return f }
        var out = "--"
        for ch in field {
            if ch.isUppercase { out += "-" + ch.lowercased() } else if ch == "." { out += "-" } else { out.append(ch) }
        }
        return out
    }

    /// Library names that mean the same flag in every command.
    static let shared: [String: String] = [
    "objective": "--objective", "objective.name": "--objective", "diagonal": "--diagonal", "objective.diagonal": "--diagonal",
    "data": "--data", "objective.data": "--data", "start": "--x0", "objective.start": "--x0", "learningRates": "--etas",
    ]
}
