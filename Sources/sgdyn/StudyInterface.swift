import ArgumentParser
import Foundation

/// The options of one study (a subcommand conforming to `StudyCommand`), discovered from
/// swift-argument-parser rather than listed by hand.
///
/// Discovery asks the parser for its own description of the command: parsing
/// `[study, "--experimental-dump-help"]` throws, and `SGDyn.fullMessage(for:)` of that error is the
/// parser's ToolInfo JSON (serialization version 0) with every argument's names, kind (option or
/// flag) and default. A new option on a study is therefore a new field of its experiment files
/// with no other change.
struct StudyInterface: Sendable {
    /// The subcommand name, e.g. `weak-error`.
    let study: String
    /// Every option and flag in declaration order (help and positional arguments excluded).
    let options: [StudyOption]

    /// The names of all studies, in the order `sgdyn --help` lists them.
    static var studyNames: [String] {
        SGDyn.configuration.subcommands.compactMap { type in
            (type as? any StudyCommand.Type).map { $0.configuration.commandName ?? $0._commandName }
        }
    }

    /// The option called `name`, if the study has one.
    func option(_ name: String) -> StudyOption? { options.first { $0.name == name } }

    /// The option names, sorted, for "valid: …" messages.
    var validNames: String { options.map(\.name).sorted().joined(separator: ", ") }

    /// The interface of the study called `study`; a usage error listing the studies if there is none.
    static func named(_ study: String) throws -> StudyInterface {
        guard studyNames.contains(study) else {
            throw CLIError.usage("study", "'\(study)' is not a study; valid: \(studyNames.joined(separator: ", "))")
        }
        let json: String
        do {
            _ = try SGDyn.parseAsRoot([study, "--experimental-dump-help"])
            throw CLIError.runtime("argument-parser did not describe '\(study)' (no --experimental-dump-help)")
        } catch let error as CLIError {
            throw error
        } catch {
            json = SGDyn.fullMessage(for: error)
        }
        return try StudyInterface(study: study, toolInfo: json)
    }

    /// Read the arguments of the last command in a ToolInfo JSON document.
    init(study: String, toolInfo json: String) throws {
        func unreadable(_ why: String) -> CLIError {
            CLIError.runtime("cannot read the options of '\(study)' from argument-parser's description: \(why)")
        }
        guard let root = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw unreadable("not a JSON object")
        }
        guard let command = root["command"] as? [String: Any], let arguments = command["arguments"] as? [[String: Any]] else {
            throw unreadable("no command.arguments")
        }
        var options: [StudyOption] = []
        for argument in arguments {
            guard let kind = argument["kind"] as? String, kind == "option" || kind == "flag" else { continue }
            let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { n -> String? in
                (n["kind"] as? String) == "long" ? n["name"] as? String : nil
            }
            let preferred = (argument["preferredName"] as? [String: Any]).flatMap { n -> String? in
                (n["kind"] as? String) == "long" ? n["name"] as? String : nil
            }
            guard let name = preferred ?? names.first, name != "help", name != "version" else { continue }
            options.append(StudyOption(
                name: name, isFlag: kind == "flag",
                defaultValue: kind == "flag" ? "false" : argument["defaultValue"] as? String,
                abstract: argument["abstract"] as? String ?? ""))
        }
        guard !options.isEmpty else { throw unreadable("no options") }
        self.study = study
        self.options = options
    }
}
