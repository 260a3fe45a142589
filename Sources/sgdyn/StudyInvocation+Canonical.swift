import Foundation

extension StudyInvocation {
    /// The canonical spec: `study=NAME` on the first line, then one `name=value` line for every
    /// result-relevant option, sorted by name, defaults filled in. Output-only options
    /// (`StudyOption.outputOnlyNames`) and unset options without a default are left out. Values are
    /// spelled one way (`canonicalValue(_:)`), so the text is the same for the same study whatever the
    /// order or spelling of the command line.
    ///
    /// A study with a `shard` option that is not given takes the shard of a job array from the
    /// environment (`ShardEnvironment`), as the study itself will: a shard is a different result.
    func canonicalText(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        var lines = ["study=\(study)"]
        var pairs: [(String, String)] = []
        for (option, value) in resolved where !option.isOutputOnly {
            var value = value
            if option.name == "shard", !isGiven("shard"), let fromEnvironment = try ShardEnvironment.resolve(environment) {
                value = fromEnvironment.shard.description
            }
            guard let value else { continue }
            pairs.append((option.name, option.isFlag ? value : Self.canonicalValue(value)))
        }
        lines += pairs.sorted { $0.0 < $1.0 }.map { "\($0)=\($1)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One spelling of an option value: comma- and colon-separated parts are trimmed, and each part
    /// that is a decimal number is written in its shortest form (`0.10` → `0.1`, `1.0` → `1`,
    /// `1e-1` → `0.1`, `+3` → `3`). Other text is kept as it is.
    static func canonicalValue(_ text: String) -> String {
        text.split(separator: ",", omittingEmptySubsequences: false).map { item in
            item.split(separator: ":", omittingEmptySubsequences: false).map { part in
                canonicalNumber(part.trimmingCharacters(in: .whitespaces))
            }.joined(separator: ":")
        }.joined(separator: ",")
    }

    /// A decimal number in its shortest spelling; any other text unchanged.
    private static func canonicalNumber(_ text: String) -> String {
        guard text.wholeMatch(of: /[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/) != nil else { return text }
        if text.wholeMatch(of: /[+-]?\d+/) != nil {
            let unsigned = text.hasPrefix("+") ? String(text.dropFirst()) : text
            if let n = Int(unsigned) { return String(n) }
            if let n = UInt64(unsigned) { return String(n) }
        }
        guard let v = Double(text), v.isFinite else { return text }
        if v == v.rounded(), abs(v) < 9_007_199_254_740_992 { return String(Int64(v)) }
        return "\(v)"
    }
}
