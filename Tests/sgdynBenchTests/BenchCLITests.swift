import Foundation
import Testing

/// Runs the built `sgdyn-bench` (and `sgdyn`, to check that the bench left it) as processes.
@Suite("sgdyn-bench end to end")
struct BenchCLITests {
    /// The executable `name` next to the test runner, else in `.build/debug`.
    static func binary(_ name: String) -> URL {
        let fromRunner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: fromRunner.path) { return fromRunner }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/\(name)")
    }

    static func run(_ name: String, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = binary(name)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test("sgdyn-bench --help lists the options of the former `sgdyn bench`")
    func help() throws {
        let r = try Self.run("sgdyn-bench", ["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE: sgdyn-bench"))
        for option in ["--seconds", "--groups", "--threads", "--peers", "--out", "--no-files"] {
            #expect(r.stdout.contains(option), "\(option)")
        }
        #expect(r.stdout.contains("swift run -c release sgdyn-bench"))
    }

    @Test("bad usage exits 64: an unknown group, a negative --seconds, --peers without W1/W2, a missing peers file")
    func usageErrors() throws {
        let group = try Self.run("sgdyn-bench", ["--groups", "w7"])
        #expect(group.status == 64 && group.stderr.contains("--groups: unknown group 'w7'"))
        let seconds = try Self.run("sgdyn-bench", ["--seconds", "-1"])
        #expect(seconds.status == 64 && seconds.stderr.contains("--seconds"))
        let peers = try Self.run("sgdyn-bench", ["--groups", "w9", "--peers", "/nonexistent/results.csv", "--seconds", "0.01"])
        #expect(peers.status == 64)
        #expect(peers.stderr == "sgdyn-bench: error: --peers: cannot read '/nonexistent/results.csv'; run benchmarks/peers/run_all.sh to make it\n")
    }

    @Test("the shipped sgdyn has no bench subcommand")
    func notInTheCLI() throws {
        let help = try Self.run("sgdyn", ["--help"])
        #expect(help.status == 0 && help.stdout.contains("SUBCOMMANDS"))
        #expect(!help.stdout.contains("bench"))
        let bench = try Self.run("sgdyn", ["bench", "--help"])
        #expect(bench.status != 0 || !bench.stdout.contains("--groups"))
    }
}
