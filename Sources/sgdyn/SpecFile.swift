import Foundation
import Yams
import SGDynamics

/// An experiment file: a study's command line made into a YAML (or JSON) document.
///
///     study: weak-error          # the subcommand
///     name: SME orders           # optional, for the report
///     description: …             # optional
///     mode: mc                   # one field per option, named as the long option without dashes
///     etas: [0.1, 0.05]          # a list becomes a comma-separated value: --etas 0.1,0.05
///     no-files: true             # a flag: true writes --no-files, false leaves it out
///     sweep:                     # optional: every combination is one command line
///       seed: [1, 2, 3]
///
/// Loading checks everything before any work starts and reports the first problem as one line
/// `file:line:column: …` naming the field and what would be valid. The file is composed with Yams
/// into `Node`s, which keep the line and column of every key and value; JSON files are read the same
/// way (JSON is YAML).
struct SpecFile {
    /// The file as the user named it.
    let path: String
    /// The study's options.
    let interface: StudyInterface
    /// `name:`, if given.
    let name: String?
    /// `description:`, if given.
    let description: String?
    /// The options set, in file order.
    let fields: [SpecField]
    /// The swept options, in file order (empty without `sweep:`).
    let sweep: [SpecSweepAxis]

    /// Field names that are not options.
    static let reservedFields = ["study", "name", "description", "sweep"]
    /// At most this many points per file.
    static let maximumPoints = 10_000

    /// Read and check the experiment file at `path`.
    static func load(path: String) throws -> SpecFile {
        let file = SpecLocation(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw file.error("no such file; give the path of a .yaml or .json experiment file")
        }
        guard !isDirectory.boolValue else { throw file.error("is a directory; give the path of a .yaml or .json experiment file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw file.error("cannot be read (permissions?)") }
        guard let text = String(data: data, encoding: .utf8) else { throw file.error("is not UTF-8 text") }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, in: text, file: path)
        }
        guard let root else {
            throw file.error("is empty; an experiment file starts with 'study: NAME' (studies: \(StudyInterface.studyNames.joined(separator: ", ")))")
        }
        return try SpecFile(path: path, root: root)
    }

    /// Check a composed document.
    init(path: String, root: Node) throws {
        func at(_ node: Node) -> SpecLocation { SpecLocation(path, node.mark) }
        guard case let .mapping(mapping) = root else {
            throw at(root).error("an experiment file is a mapping of fields ('study: NAME', then one field per option), not \(Self.kind(of: root))")
        }
        var keys: [(name: String, key: Node, value: Node)] = []
        for (key, value) in mapping {
            guard case let .scalar(scalar) = key, !scalar.string.isEmpty else {
                throw at(key).error("a field name is a word like 'etas', not \(Self.kind(of: key))")
            }
            keys.append((scalar.string, key, value))
        }
        let studies = StudyInterface.studyNames.joined(separator: ", ")
        guard let studyEntry = keys.first(where: { $0.name == "study" }) else {
            throw at(root).error("field 'study' is missing; valid: \(studies)")
        }
        guard case let .scalar(studyName) = studyEntry.value, !Self.isNull(studyEntry.value) else {
            throw at(studyEntry.value).error("field 'study' names one study; valid: \(studies)")
        }
        guard StudyInterface.studyNames.contains(studyName.string) else {
            throw at(studyEntry.value).error("field 'study': '\(studyName.string)' is not a study; valid: \(studies)")
        }
        let interface = try StudyInterface.named(studyName.string)
        var name: String?, description: String?
        var fields: [SpecField] = []
        var sweepNode: (key: Node, value: Node)?
        for entry in keys {
            switch entry.name {
            case "study": continue
            case "name", "description":
                guard case let .scalar(scalar) = entry.value else {
                    throw at(entry.value).error("field '\(entry.name)' is one line of text, not \(Self.kind(of: entry.value))")
                }
                if entry.name == "name" { name = scalar.string } else { description = scalar.string }
            case "sweep":
                sweepNode = (entry.key, entry.value)
            case "objective" where { if case .mapping = entry.value { return true }; return false }():
                fields += try Self.formulaFields(entry.value, key: at(entry.key), interface: interface, file: path)
            default:
                guard let option = interface.option(entry.name) else {
                    throw at(entry.key).error("field '\(entry.name)' is not an option of \(interface.study); valid: \(interface.validNames)\(Self.suggestion(entry.name, interface))")
                }
                let value = try Self.value(of: entry.value, for: option, file: path)
                fields.append(SpecField(option: option, key: at(entry.key), value: value))
            }
        }
        var sweep: [SpecSweepAxis] = []
        if let (key, node) = sweepNode {
            guard case let .mapping(axes) = node else {
                throw at(node).error("field 'sweep' maps options to lists of values, like sweep: {seed: [1, 2, 3]}; got \(Self.kind(of: node))")
            }
            guard axes.count > 0 else {
                throw at(key).error("field 'sweep' is empty; give an option and its values, like sweep: {seed: [1, 2, 3]}")
            }
            for (axisKey, axisNode) in axes {
                guard case let .scalar(axisName) = axisKey, !axisName.string.isEmpty else {
                    throw at(axisKey).error("a sweep is over an option named like 'seed', not \(Self.kind(of: axisKey))")
                }
                guard let option = interface.option(axisName.string) else {
                    throw at(axisKey).error("sweep over '\(axisName.string)': not an option of \(interface.study); valid: \(interface.validNames)\(Self.suggestion(axisName.string, interface))")
                }
                if let set = fields.first(where: { $0.option.name == option.name }) {
                    throw at(axisKey).error("field '\(option.name)' is both set (at \(set.key)) and swept; remove one")
                }
                guard case let .sequence(items) = axisNode else {
                    throw at(axisNode).error("sweep over '\(option.name)' takes a list of values, like [\(Self.example(option))], not \(Self.kind(of: axisNode))")
                }
                guard items.count > 0 else {
                    throw at(axisNode).error("sweep over '\(option.name)' is an empty list; give at least one value, like [\(Self.example(option))]")
                }
                let values = try items.map { try Self.value(of: $0, for: option, file: path) }
                sweep.append(SpecSweepAxis(option: option, key: at(axisKey), values: values))
            }
            let points = sweep.reduce(1.0) { $0 * Double($1.values.count) }
            guard points <= Double(Self.maximumPoints) else {
                throw at(key).error("field 'sweep' makes \(points < 1e15 ? String(Int(points)) : NumberText.short(points, 3)) points; at most \(Self.maximumPoints) per file")
            }
        }
        var seenOptions: [String: SpecLocation] = [:]
        for f in fields {
            if let first = seenOptions[f.option.name] {
                throw f.key.error("option '\(f.option.name)' is given twice (also at \(first)), e.g. as objective.start and x0; give it once")
            }
            seenOptions[f.option.name] = f.key
        }
        self.path = path
        self.interface = interface
        self.name = name
        self.description = description
        self.fields = fields.map { Self.resolvingDataPath($0, besides: path) }
        self.sweep = sweep
    }

    /// A relative `data` path is read beside the experiment file when a file is there (so an example
    /// and its data travel together), else as given (from the working directory).
    static func resolvingDataPath(_ field: SpecField, besides file: String) -> SpecField {
        guard field.option.name == "data", let text = field.value.text, !text.hasPrefix("/") else { return field }
        let beside = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(text).standardized.path
        guard !FileManager.default.fileExists(atPath: text), FileManager.default.fileExists(atPath: beside) else { return field }
        return SpecField(option: field.option, key: field.key, value: SpecValue(text: beside, location: field.value.location))
    }

    /// The command lines of the file: the cartesian product of the sweep's values (the first swept
    /// option varies slowest), or the one command line of a file without `sweep:`.
    var points: [SpecPoint] {
        var combinations: [[(StudyOption, SpecValue)]] = [[]]
        for axis in sweep {
            combinations = combinations.flatMap { prefix in axis.values.map { prefix + [(axis.option, $0)] } }
        }
        let base = fields.map { ($0.option, $0.value) }
        return combinations.enumerated().map { i, swept in
            let label = swept.map { "\($0.0.name)=\($0.1.text ?? "false")" }.joined(separator: ", ")
            return SpecPoint(index: i + 1, count: combinations.count, interface: interface, file: path,
                             values: (base + swept).map { (option: $0.0, value: $0.1) }, sweepLabel: label)
        }
    }
}
