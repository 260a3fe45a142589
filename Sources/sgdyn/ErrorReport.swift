import ArgumentParser
import Foundation
import SGDynamics
import SGDynamicsReport

/// What the CLI says about an error thrown by a command: one line and an exit code.
///
/// Exit codes follow DESIGN.md: 64 for bad usage (a configuration error, a rejected option), 1 for a
/// failure during a run, 0 for the parser's own output (help, version), which `message` then holds
/// in full.
struct ErrorReport {
    /// The line for stderr (without the `sgdyn: error: ` prefix), or the help text when `code` is 0.
    let message: String
    /// The process exit code.
    let code: Int32
    /// Whether the message came from argument-parser and should point to `sgdyn --help`.
    let fromParser: Bool

    init(_ error: Error) {
        switch error {
        case let e as CLIError:
            (message, code, fromParser) = (e.message, e.code, false)
        case let e as ConfigurationError:
            (message, code, fromParser) = ("\(CLIFlags.flag(e.field)): \(e.message)", 64, false)
        case let e as ResultFileError:
            (message, code, fromParser) = (e.isUsage ? "--out: \(e.message)" : e.message, e.isUsage ? 64 : 1, false)
        case let e as DatasetError:
            (message, code, fromParser) = (e.description, 64, false)
        case let e as LinearAlgebraError:
            (message, code, fromParser) = ("numerical failure: \(e.description)", 1, false)
        default:
            let exit = SGDyn.exitCode(for: error)
            if exit == .success {
                (message, code, fromParser) = (SGDyn.fullMessage(for: error), 0, true)
            } else {
                let line = SGDyn.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                (message, code, fromParser) = (line, exit == .validationFailure ? 64 : exit.rawValue, true)
            }
        }
    }

    /// The stderr line as `sgdyn` prints it for a command line: one line, with control characters
    /// from the input shown escaped (`\u{1B}`), so no input can drive the terminal.
    var line: String { line(command: nil) }

    /// The stderr line for a command line whose subcommand is `command` (its help is the one to see).
    func line(command: String?) -> String {
        let help = command.map { "sgdyn \($0) --help" } ?? "sgdyn --help"
        return Self.escaped(fromParser ? message + " (see '\(help)')" : message)
    }

    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}" {
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
