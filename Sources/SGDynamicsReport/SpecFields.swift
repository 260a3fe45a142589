import Foundation

/// The fields of a run's spec text, in order, for showing and comparing specs.
///
/// Three shapes are read: a study's canonical JSON (`StudySpec`: nested keys flattened to
/// `configuration.objective.name`-style names, shown without the `configuration.` prefix), lines of `name=value` (the canonical spec), or a command line
/// (`study --name value --flag …`, where a flag gets the value `true` and the first bare word is the study).
public struct SpecFields: Sendable, Equatable {
    public var fields: [(name: String, value: String)]

    public static func == (a: SpecFields, b: SpecFields) -> Bool {
        a.fields.map(\.name) == b.fields.map(\.name) && a.fields.map(\.value) == b.fields.map(\.value)
    }

    public init(_ spec: String) {
        if spec.hasPrefix("{"), let root = try? JSONDecoder().decode(JSONValue.self, from: Data(spec.utf8)), case .object(let top) = root {
            var out: [(String, String)] = []
            if case .string(let study)? = top["study"] { out.append(("study", study)) }
            func flatten(_ v: JSONValue, _ name: String) {
                switch v {
                case .object(let m): for k in m.keys.sorted() { flatten(m[k]!, name.isEmpty ? k : "\(name).\(k)") }
                case .array(let a): out.append((name, a.map(\.text).joined(separator: ",")))
                default: out.append((name, v.text))
                }
            }
            if let c = top["configuration"] { flatten(c, "") }
            if case .object(let inputs)? = top["inputs"] {
                for k in inputs.keys.sorted() { out.append(("input \(k)", "sha256 \(inputs[k]!.text.prefix(16))…")) }
            }
            fields = out
            return
        }
        let lines = spec.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        // name=value lines: every line has an `=` with a bare name (no spaces, no leading dash) before it.
        let isField: (String) -> Bool = { line in
            guard let eq = line.firstIndex(of: "=") else { return false }
            let name = line[..<eq]
            return !name.isEmpty && !name.hasPrefix("-") && !name.contains(where: \.isWhitespace)
        }
        if !lines.isEmpty && lines.allSatisfy(isField) {
            fields = lines.map { line in
                let eq = line.firstIndex(of: "=")!
                return (String(line[..<eq]).trimmingCharacters(in: .whitespaces), String(line[line.index(after: eq)...]).trimmingCharacters(in: .whitespaces))
            }
            return
        }
        var out: [(String, String)] = []
        let words = spec.split(whereSeparator: \.isWhitespace).map(String.init)
        var i = 0
        while i < words.count {
            let w = words[i]
            if w.hasPrefix("--") {
                let body = w.dropFirst(2)
                if let eq = body.firstIndex(of: "=") {
                    out.append((String(body[..<eq]), String(body[body.index(after: eq)...])))
                } else if i + 1 < words.count, !Self.isOptionName(words[i + 1]) {
                    out.append((String(body), words[i + 1]))
                    i += 1
                } else {
                    out.append((String(body), "true"))
                }
            } else if out.isEmpty {
                out.append(("study", w))
            } else {
                out.append(("argument", w))
            }
            i += 1
        }
        fields = out
    }

    /// A word that names an option (`--x` or `-x`), not a negative number.
    private static func isOptionName(_ w: String) -> Bool {
        guard w.hasPrefix("-"), w.count > 1 else { return false }
        return Double(w) == nil && !(w.dropFirst().first.map { $0.isNumber || $0 == "." } ?? false)
    }

    /// The value of `name`, if the spec has it (the last one when repeated).
    public func value(_ name: String) -> String? { fields.last { $0.name == name }?.value }

    /// The names whose values differ between `self` and `other` (missing counts as different), in
    /// order of first appearance, with both values.
    public func differences(from other: SpecFields) -> [(name: String, mine: String?, theirs: String?)] {
        var names: [String] = []
        for n in fields.map(\.name) + other.fields.map(\.name) where !names.contains(n) { names.append(n) }
        return names.compactMap { n in
            let a = value(n), b = other.value(n)
            return a == b ? nil : (n, a, b)
        }
    }
}

/// A JSON document as a value (for flattening specs).
enum JSONValue: Decodable {
    case null, bool(Bool), integer(Int64), unsigned(UInt64), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        if var a = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !a.isAtEnd { items.append(try a.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        if let o = try? decoder.container(keyedBy: AnyKey.self) {
            var m: [String: JSONValue] = [:]
            for k in o.allKeys { m[k.stringValue] = try o.decode(JSONValue.self, forKey: k) }
            self = .object(m)
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .integer(i) } else if let u = try? c.decode(UInt64.self) { self = .unsigned(u) }
        else if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .string(try c.decode(String.self)) }
    }

    /// Numbers in their shortest form, strings bare, arrays comma separated.
    var text: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .unsigned(let u): return String(u)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        case .string(let s): return s
        case .array(let a): return "[" + a.map(\.text).joined(separator: ",") + "]"
        case .object: return "{…}"
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
