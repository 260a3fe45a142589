import Foundation

/// One command line of an experiment file: the file's fields plus one value of every swept option.
struct SpecPoint {
    /// Position among the file's points, from 1.
    let index: Int
    /// Number of points of the file.
    let count: Int
    /// The study's options.
    let interface: StudyInterface
    /// The experiment file.
    let file: String
    /// The options of this point in order: file fields first, then the swept values.
    let values: [(option: StudyOption, value: SpecValue)]
    /// The swept values of this point, `name=value`, for messages (empty without a sweep).
    let sweepLabel: String

    /// The command line after `sgdyn`: `[study, --name, value, --flag, …]`. A value that starts with
    /// `-` is written `--name=value`, so a negative number is never taken for an option.
    var arguments: [String] {
        var out = [interface.study]
        for (option, value) in values {
            guard let text = value.text else { continue }
            if option.isFlag { out.append("--\(option.name)") }
            else if text.hasPrefix("-") { out.append("--\(option.name)=\(text)") }
            else { out += ["--\(option.name)", text] }
        }
        return out
    }

    /// The command line as a shell would take it back.
    var commandLine: String {
        (["sgdyn"] + arguments).map { arg in
            arg.allSatisfy({ $0.isLetter || $0.isNumber || "-_.,:=/+^@%".contains($0) }) && !arg.isEmpty
                ? arg : "'" + arg.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }

    /// This point with `store`/`no-store` replaced by the ones `sgdyn run` was given, if any.
    func storing(at store: String?, noStore: Bool) -> SpecPoint {
        guard store != nil || noStore else { return self }
        var kept = values.filter { $0.option.name != "store" && $0.option.name != "no-store" }
        let here = SpecLocation(file)
        if let store, let option = interface.option("store") { kept.append((option, SpecValue(text: store, location: here))) }
        if noStore, let option = interface.option("no-store") { kept.append((option, SpecValue(text: "true", location: here))) }
        return SpecPoint(index: index, count: count, interface: interface, file: file, values: kept, sweepLabel: sweepLabel)
    }

    /// This point writing its files into `OUT/point-N` (N its index), so that the points of a sweep
    /// do not overwrite each other's files; `OUT` is the file's `out:` or the study's default.
    func ownOutputDirectory() -> SpecPoint {
        guard count > 1, let option = interface.option("out"),
              !values.contains(where: { $0.option.name == "no-files" && $0.value.text == "true" }) else { return self }
        let base = values.last(where: { $0.option.name == "out" })?.value.text ?? option.defaultValue ?? "sgdyn-out"
        var kept = values.filter { $0.option.name != "out" }
        kept.append((option, SpecValue(text: (base as NSString).appendingPathComponent("point-\(index)"), location: SpecLocation(file))))
        return SpecPoint(index: index, count: count, interface: interface, file: file, values: kept, sweepLabel: sweepLabel)
    }

    /// This point keeping its run in its own store file, `STORE-point-N.sqlite` beside the store it
    /// would use (one writer per SQLite file on a cluster), unless it keeps no run.
    func ownStore(defaultStore: String) -> SpecPoint {
        guard interface.option("store") != nil,
              !values.contains(where: { $0.option.name == "no-store" && $0.value.text == "true" }) else { return self }
        let base = values.last(where: { $0.option.name == "store" })?.value.text ?? defaultStore
        let stem = (base as NSString).deletingPathExtension
        let ext = (base as NSString).pathExtension
        var kept = values.filter { $0.option.name != "store" }
        kept.append((interface.option("store")!, SpecValue(text: "\(stem)-point-\(index)" + (ext.isEmpty ? "" : ".\(ext)"), location: SpecLocation(file))))
        return SpecPoint(index: index, count: count, interface: interface, file: file, values: kept, sweepLabel: sweepLabel)
    }

    /// This point with its ensemble whole (`--shard 0/1`) when its study shards, so that a job
    /// array's index, used to pick the point, is not read again as a shard.
    func wholeEnsemble() -> SpecPoint {
        guard let option = interface.option("shard"), !values.contains(where: { $0.option.name == "shard" && $0.value.text != nil }) else { return self }
        return SpecPoint(index: index, count: count, interface: interface, file: file,
                         values: values + [(option, SpecValue(text: "0/1", location: SpecLocation(file)))], sweepLabel: sweepLabel)
    }

    /// The error of running this point, placed in the file: an option named in the message (as
    /// `--name`) is reported at the line and column where the file gives its value, as
    /// `file:line:column: field 'name': message`. A runtime failure keeps its exit code.
    func locate(_ error: Error) -> Error {
        let report = ErrorReport(error)
        guard report.code != 0 else { return error }
        let point = count > 1 ? " (point \(index) of \(count): \(sweepLabel))" : ""
        let hint = report.fromParser ? " (see 'sgdyn \(interface.study) --help')" : ""
        let mentioned = report.message.matches(of: /--([A-Za-z0-9][A-Za-z0-9-]*)/).map { String($0.output.1) }
        func text(for name: String) -> String {
            let prefix = "--\(name): "
            return report.message.hasPrefix(prefix) ? String(report.message.dropFirst(prefix.count)) : report.message
        }
        if let name = mentioned.first(where: { name in values.contains { $0.option.name == name && $0.value.text != nil } }),
           let value = values.last(where: { $0.option.name == name })?.value {
            return value.location.error("field '\(name)'\(point): \(text(for: name))\(hint)", code: report.code)
        }
        if let name = mentioned.first(where: { interface.option($0) != nil }) {
            let shown = interface.option(name)?.defaultValue.map { "default \($0)" } ?? "not set"
            return SpecLocation(file).error("field '\(name)' (not in the file: \(shown))\(point): \(text(for: name))\(hint)", code: report.code)
        }
        return SpecLocation(file).error("\(interface.study)\(point): \(report.message)\(hint)", code: report.code)
    }
}
