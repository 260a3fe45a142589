import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a run's files into an output directory together: the directory checked before the work
/// starts, the files written into a staging directory inside it, then moved into place at once
/// (rolled back if one move fails), so the directory holds the old set of files or the new one.
public struct ResultFileWriter: Sendable {
    public let directory: URL?
    /// Whether this writer made the directory (so that a run that writes nothing can take it away).
    public let created: Bool
    /// The directory as the user gave it (for the "wrote …" line).
    public let shown: String

    /// Whether `out` could hold the files, without creating anything: an existing writable
    /// directory, or a path whose nearest existing ancestor is a directory.
    public static func check(out: String, noFiles: Bool) throws {
        guard !noFiles else { return }
        guard !out.isEmpty else { throw ResultFileError.usage("give a directory, e.g. sgdyn-out") }
        var path = URL(fileURLWithPath: out, isDirectory: true).standardizedFileURL
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ResultFileError.usage("'\(out)' is a file; give a directory") }
            return
        }
        while path.path != "/" {
            path = path.deletingLastPathComponent()
            if FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else { throw ResultFileError.usage("cannot make '\(out)': '\(path.path)' is a file") }
                return
            }
        }
    }

    /// A writer into `out` (made when missing); nil directory with `noFiles`.
    public init(out: String, noFiles: Bool = false) throws {
        shown = out
        guard !noFiles else { directory = nil; created = false; return }
        try Self.check(out: out, noFiles: noFiles)
        let dir = URL(fileURLWithPath: out, isDirectory: true)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ResultFileError.usage("'\(out)' is a file; give a directory") }
            guard FileManager.default.isWritableFile(atPath: dir.path) else {
                throw ResultFileError.usage("the directory '\(out)' is not writable")
            }
        } else {
            do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
                throw ResultFileError.usage("cannot create the directory '\(out)': \(ResultFileError.reason(error))")
            }
            directory = dir
            created = true
            return
        }
        directory = dir
        created = false
    }

    /// Files written into a staging directory beside their targets, not yet in place.
    public struct Staged: Sendable {
        let staging: URL?
        let targets: [(from: URL, to: URL)]
        /// The paths the files will have, as the user gave the directory.
        public let paths: [String]

        /// Move every file into place (each move atomic; every target was checked to be a plain file or absent).
        /// Old files are first moved aside into the staging directory; if any move fails, every
        /// file moved so far goes back, so the directory holds either the old set or the new one.
        public func commit() throws {
            guard let staging else { return }
            var done: [(from: URL, to: URL, backup: URL?)] = []
            func rollBack() {
                for d in done.reversed() {
                    _ = rename(d.to.path, d.from.path)
                    if let b = d.backup { _ = rename(b.path, d.to.path) }
                }
            }
            for (i, t) in targets.enumerated() {
                var backup: URL?
                if FileManager.default.fileExists(atPath: t.to.path) {
                    let b = staging.appendingPathComponent(".old-\(i)")
                    guard rename(t.to.path, b.path) == 0 else {
                        let reason = String(cString: strerror(errno))
                        rollBack()
                        throw ResultFileError.failure("cannot replace \(t.to.lastPathComponent) in '\(t.to.deletingLastPathComponent().path)': \(reason)")
                    }
                    backup = b
                }
                guard rename(t.from.path, t.to.path) == 0 else {
                    let reason = String(cString: strerror(errno))
                    if let backup { _ = rename(backup.path, t.to.path) }
                    rollBack()
                    throw ResultFileError.failure("cannot move \(t.to.lastPathComponent) into '\(t.to.deletingLastPathComponent().path)': \(reason)")
                }
                done.append((t.from, t.to, backup))
            }
        }

        /// Remove what was not moved.
        public func discard() { if let staging { try? FileManager.default.removeItem(at: staging) } }
    }

    /// Write every file into a staging directory and check every target (absent, or a regular
    /// file to replace); nothing is in place until `commit()`.
    public func stage(_ files: [(name: String, contents: String)]) throws -> Staged {
        guard let directory else { return Staged(staging: nil, targets: [], paths: []) }
        let staging = directory.appendingPathComponent(".sgdyn-staging-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
            var targets: [(URL, URL)] = []
            for f in files {
                let from = staging.appendingPathComponent(f.name), to = directory.appendingPathComponent(f.name)
                var st = stat()
                if lstat(to.path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
                    throw ResultFileError.failure("cannot write \(f.name) into '\(shown)': something that is not a regular file is in the way")
                }
                try Data(f.contents.utf8).write(to: from)
                targets.append((from, to))
            }
            return Staged(staging: staging, targets: targets, paths: files.map { (shown as NSString).appendingPathComponent($0.name) })
        } catch let e as ResultFileError {
            try? FileManager.default.removeItem(at: staging)
            throw e
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw ResultFileError.failure("cannot write into '\(shown)': \(ResultFileError.reason(error))")
        }
    }

    /// Remove the directory this writer made if nothing was written into it.
    public func removeIfUnused() {
        guard created, let directory, (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.isEmpty == true else { return }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Write every file at once; returns their paths (none with --no-files).
    public func write(_ files: [(name: String, contents: String)]) throws -> [String] {
        let staged = try stage(files)
        defer { staged.discard() }
        try staged.commit()
        return staged.paths
    }

}

/// A problem with an output directory or its files: a bad path (`isUsage`, the caller's `--out`)
/// or a failure while writing.
public struct ResultFileError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public let isUsage: Bool
    public var description: String { message }

    static func usage(_ message: String) -> ResultFileError { ResultFileError(message: message, isUsage: true) }
    static func failure(_ message: String) -> ResultFileError { ResultFileError(message: message, isUsage: false) }

    /// The system's reason for a file error, in one line.
    public static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription.split(separator: "\n").first.map(String.init) ?? "\(error)"
    }
}
