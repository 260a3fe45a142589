import Foundation

/// A study's command line as values: the study and the options given on it.
///
/// `sgdyn weak-error --mode mc --etas=0.1,0.05 --no-files` is the study `weak-error` with
/// `mode = mc`, `etas = 0.1,0.05`, `no-files = true`. Options are recognised from the study's
/// `StudyInterface`, so every study is handled the same way. A repeated option keeps its last value.
struct StudyInvocation {
    /// The study's options.
    let interface: StudyInterface
    /// The options given explicitly, by name (flags as `"true"`).
    private(set) var given: [String: String] = [:]

    /// The values of a command line `[study, options…]` (the arguments after `sgdyn`).
    init(arguments: [String]) throws {
        guard let study = arguments.first else {
            throw CLIError.usage("study", "give a study first; valid: \(StudyInterface.studyNames.joined(separator: ", "))")
        }
        interface = try StudyInterface.named(study)
        var rest = arguments.dropFirst()
        while let token = rest.popFirst() {
            guard token.hasPrefix("--"), token.count > 2 else {
                throw CLIError.usage(token, "unexpected argument for \(study); options look like --name value (valid: \(interface.validNames))")
            }
            let body = token.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
            guard let option = interface.option(name) else {
                throw CLIError.usage("--\(name)", "is not an option of \(study); valid: \(interface.validNames)")
            }
            if option.isFlag {
                guard inline == nil else { throw CLIError.usage("--\(name)", "is a flag and takes no value") }
                given[name] = "true"
            } else if let inline {
                given[name] = inline
            } else if let value = rest.popFirst() {
                given[name] = value
            } else {
                throw CLIError.usage("--\(name)", "needs a value")
            }
        }
    }

    /// The study name.
    var study: String { interface.study }

    /// Every option with its value: the given one, else the default; nil for an unset option with no
    /// default. Flags are `"true"` or `"false"`. In the study's declaration order.
    var resolved: [(option: StudyOption, value: String?)] {
        interface.options.map { ($0, given[$0.name] ?? $0.defaultValue) }
    }

    /// Whether the option was given on the command line.
    func isGiven(_ name: String) -> Bool { given[name] != nil }
}
