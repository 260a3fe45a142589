import Foundation
import SGDynamicsStore

/// How the `runs` and `report` commands write times, durations, sizes and short texts.
enum RunFormatting {
    /// Local time to the second, e.g. `2026-11-23 14:21:10`.
    static func time(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: date)
    }

    /// `0.42 s`, `12.3 s`, `4 min 05 s`, `2 h 03 min`.
    static func duration(_ seconds: TimeInterval) -> String {
        if seconds < 10 { return String(format: "%.2f s", max(0, seconds)) }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let s = Int(seconds.rounded())
        if s < 3600 { return String(format: "%d min %02d s", s / 60, s % 60) }
        return String(format: "%d h %02d min", s / 3600, (s % 3600) / 60)
    }

    /// The duration of an ended run, `running` for a live one.
    static func duration(of run: StoredRun) -> String {
        run.duration.map(duration) ?? (run.status == .running ? "running" : "-")
    }

    /// `812 B`, `3.4 kB`, `1.2 MB`.
    static func size(_ bytes: Int) -> String {
        if bytes < 1000 { return "\(bytes) B" }
        if bytes < 1_000_000 { return String(format: "%.1f kB", Double(bytes) / 1000) }
        return String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }

    /// `text` on one line, cut to `limit` characters with an ellipsis.
    static func truncated(_ text: String?, _ limit: Int) -> String {
        guard let text else { return "" }
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.count <= limit ? line : String(line.prefix(max(0, limit - 1))) + "…"
    }

    /// The abstract of the study subcommand `name`: the question the study asks.
    static func question(of study: String) -> String? {
        SGDyn.configuration.subcommands.first { $0.configuration.commandName == study }?.configuration.abstract
    }

    /// Fetch a run, turning a store error into a one-line CLI error.
    static func run(_ id: Int64, in store: RunStore) throws -> StoredRun {
        do { return try store.run(id: id) } catch { throw CLIError(storeError: error) }
    }

    /// Fetch a run's artifacts, turning a store error into a one-line CLI error.
    static func artifacts(_ id: Int64, in store: RunStore) throws -> [StoredArtifact] {
        do { return try store.artifacts(of: id) } catch { throw CLIError(storeError: error) }
    }
}
