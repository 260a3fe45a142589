import Foundation

extension CLI {
    /// Runs the built `sgdyn` with extra environment variables, in `directory` (for files it writes).
    static func run(_ args: [String], environment: [String: String], in directory: String) throws -> Result {
        try launch(args, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, directory: directory)
    }

    /// Runs the built `sgdyn` with exactly `environment`, in `directory` when given.
    static func launch(_ args: [String], environment: [String: String], directory: String?) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.environment = environment
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory, isDirectory: true) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// The repository's root folder (for examples/).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
