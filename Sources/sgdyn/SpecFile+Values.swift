import Foundation
import Yams
import SGDynamics

/// Reading one value of an experiment file, and the messages of its errors.
extension SpecFile {
    /// The command-line value of `node` for `option`: a scalar as written, a list of scalars joined
    /// with commas, `true`/`false` for a flag, `null` for unset.
    static func value(of node: Node, for option: StudyOption, file: String) throws -> SpecValue {
        let here = SpecLocation(file, node.mark)
        if isNull(node) { return SpecValue(text: nil, location: here) }
        if option.isFlag {
            guard case let .scalar(scalar) = node, ["true", "false"].contains(scalar.string.lowercased()) else {
                throw here.error("field '\(option.name)' is a flag; give true or false, not \(describe(node))")
            }
            return SpecValue(text: scalar.string.lowercased() == "true" ? "true" : nil, location: here)
        }
        switch node {
        case let .scalar(scalar):
            return SpecValue(text: scalar.string, location: here)
        case let .sequence(items):
            guard items.count > 0 else {
                throw here.error("field '\(option.name)' is an empty list; give a value like \(example(option))")
            }
            var parts: [String] = []
            for item in items {
                guard case let .scalar(scalar) = item, !isNull(item) else {
                    throw SpecLocation(file, item.mark).error("field '\(option.name)': a list holds single values (it becomes \(example(option))), not \(kind(of: item))")
                }
                parts.append(scalar.string)
            }
            // Formula lists (a drift's components) are ';'-separated on the command line: a formula can hold commas.
            return SpecValue(text: parts.joined(separator: ["drift", "diffusion"].contains(option.name) ? "; " : ","), location: here)
        default:
            throw here.error("field '\(option.name)' takes a value like \(example(option)) (a list for comma-separated values), not \(kind(of: node))")
        }
    }

    /// Whether a node is YAML's null (`null`, `~` or nothing), unquoted.
    static func isNull(_ node: Node) -> Bool {
        guard case let .scalar(scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// "a mapping", "a list", "null", "'abc'" — for messages.
    static func describe(_ node: Node) -> String {
        if case let .scalar(scalar) = node { return "'\(scalar.string)'" }
        return kind(of: node)
    }

    /// The kind of a node, for messages.
    static func kind(of node: Node) -> String {
        switch node {
        case .scalar: return isNull(node) ? "null" : "a single value"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }

    /// An example value of an option: its default, else its kind.
    static func example(_ option: StudyOption) -> String {
        if let d = option.defaultValue, !d.isEmpty { return d }
        return option.isFlag ? "true" : "a number or a name"
    }

    /// " (did you mean 'etas'?)" when one option is a near miss of `name`.
    static func suggestion(_ name: String, _ interface: StudyInterface) -> String {
        let close = interface.options.map(\.name).filter { editDistance($0, name) <= 2 }
        return close.count == 1 ? " (did you mean '\(close[0])'?)" : ""
    }

    /// Levenshtein distance of two short words.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }

    /// One line for a YAML error, at the mark Yams gives.
    static func syntaxError(_ error: YamlError, in text: String, file: String) -> CLIError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let during = context.map { " (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? ""
            return SpecLocation(file, mark).error("YAML syntax error: \(problem)\(during)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let key = duplicates.sorted().first ?? "?"
            let place = secondOccurrence(of: key, after: (context.mark.line, context.mark.column), in: text, file: file)
            return (place ?? SpecLocation(file, context.mark)).error("field '\(key)' is given twice in the same mapping; keep one")
        case let .reader(problem, offset, _, _):
            return SpecLocation(file).error("cannot be read as YAML: \(problem)\(offset.map { " at byte \($0)" } ?? "")")
        default:
            return SpecLocation(file).error("cannot be read as YAML: \(error)")
        }
    }

    /// Where `key` is written again after its first place (`first`), as a mapping key
    /// (`key:`, `"key":` or `'key':`); nil if it cannot be found.
    static func secondOccurrence(of key: String, after first: (line: Int, column: Int), in text: String, file: String) -> SpecLocation? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array(String($0).unicodeScalars) }
        let spellings = [key, "\"\(key)\"", "'\(key)'"].map { Array($0.unicodeScalars) }
        for (l, line) in lines.enumerated() where l + 1 >= first.line {
            var c = l + 1 == first.line ? first.column : 0
            while c < line.count {
                for spelling in spellings where c + spelling.count <= line.count && Array(line[c..<(c + spelling.count)]) == spelling {
                    let before = c == 0 ? " " : line[c - 1]
                    var after = c + spelling.count
                    while after < line.count, line[after] == " " { after += 1 }
                    if " \t{,".unicodeScalars.contains(before), after < line.count, line[after] == ":" {
                        return SpecLocation(file, line: l + 1, column: c + 1)
                    }
                }
                c += 1
            }
        }
        return nil
    }
}

extension SpecFile {
    /// The fields of `objective: {expression: …, variables: […], parameters: {a: 0.5}}` or
    /// `objective: {samples: …, data: file.csv, …}`: the options `objective`/`samples`, `variables`,
    /// `parameters`, `data` and `x0` of the command line.
    static func formulaFields(_ node: Node, key: SpecLocation, interface: StudyInterface, file: String) throws -> [SpecField] {
        guard case let .mapping(mapping) = node else { return [] }
        let valid = ["expression", "samples", "data", "variables", "parameters", "noise", "start"]
        var fields: [SpecField] = []
        func add(_ optionName: String, _ text: String, _ at: SpecLocation) throws {
            guard let option = interface.option(optionName) else {
                throw at.error("field 'objective': \(interface.study) takes no formula objective (it has no option '\(optionName)')")
            }
            fields.append(SpecField(option: option, key: key, value: SpecValue(text: text, location: at)))
        }
        for (k, v) in mapping {
            let here = SpecLocation(file, v.mark)
            guard case let .scalar(name) = k, valid.contains(name.string) else {
                throw SpecLocation(file, k.mark).error("field 'objective' as a mapping takes \(valid.joined(separator: ", ")); got \(describe(k))")
            }
            switch name.string {
            case "expression", "samples":
                guard case let .scalar(text) = v, !isNull(v) else {
                    throw here.error("field 'objective.\(name.string)' is a formula in quotes, like \"(x^2 - 1)^2 + 0.5*y^2\"; got \(kind(of: v))")
                }
                if name.string == "expression" { try add("objective", "expr: \(text.string)", here) } else { try add("samples", text.string, here) }
            case "parameters":
                guard case let .mapping(ps) = v else {
                    throw here.error("field 'objective.parameters' maps names to numbers, like {a: 0.5}; got \(kind(of: v))")
                }
                var parts: [String] = []
                for (pk, pv) in ps {
                    guard case let .scalar(pn) = pk, case let .scalar(pvalue) = pv, !isNull(pv) else {
                        throw SpecLocation(file, pk.mark).error("field 'objective.parameters' maps names to numbers, like {a: 0.5}")
                    }
                    parts.append("\(pn.string)=\(pvalue.string)")
                }
                try add("parameters", parts.joined(separator: ","), here)
            default:
                let optionName = name.string == "start" ? (interface.option("x0") != nil ? "x0" : "start") : name.string
                guard let option = interface.option(optionName) else {
                    throw here.error("field 'objective.\(name.string)': \(interface.study) has no option for it")
                }
                let value = try Self.value(of: v, for: option, file: file)
                fields.append(SpecField(option: option, key: key, value: value))
            }
        }
        return fields
    }
}
