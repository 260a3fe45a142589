import Foundation
import SGDynamics
import Testing
@testable import SGDynamicsStore

/// A fresh path for a store in its own temporary directory.
func temporaryStorePath(_ name: String = "store.sqlite") -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sgdyn-store-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
}

/// The identity of a process that has certainly exited: a child started and reaped here.
func exitedProcess() throws -> ProcessIdentity {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "exit 0"]
    try p.run()
    p.waitUntilExit()
    var me = ProcessIdentity.current
    me.pid = Int64(p.processIdentifier)
    me.processStart = nil
    return me
}

@Suite("Run store")
struct RunStoreTests {
    @Test("a finished run reads back field by field, artifacts in written order with their kinds")
    func roundTrip() throws {
        let path = temporaryStorePath()
        let store = try RunStore(path: path)
        let start = Date(timeIntervalSince1970: 1_800_000_000.25)
        let id = try store.begin(study: "weak-error", spec: "weak-error --etas 0.1", seed: "18446744073709551615",
                                 packageVersion: "0.8.0", startedAt: start)
        let outcome = RunOutcome(claim: "SME-2 is order 2.", reading: "order 2.01 ± 0.03", stdout: "line 1\nη = 0.1 ✓\n",
                                 artifacts: [("weak-error.csv", "eta,err\n0.1,0.01\n"), ("weak-error.svg", "<svg/>"),
                                             ("weak-error.json", "{}"), ("notes", "x"), ("weak-error.csv", "eta,err\n0.1,0.02\n")])
        try store.finish(id: id, outcome: outcome, endedAt: start.addingTimeInterval(2.5))

        let reopened = try RunStore(path: path, create: false)
        let run = try reopened.run(id: id)
        #expect(run.study == "weak-error" && run.spec == "weak-error --etas 0.1")
        #expect(run.specHash == SHA256.hex("weak-error --etas 0.1") && run.specHash.count == 64)
        #expect(run.seed == "18446744073709551615" && run.packageVersion == "0.8.0")
        #expect(run.status == .done && run.errorMessage == nil)
        #expect(abs(run.startedAt.timeIntervalSince(start)) < 0.002)
        #expect(abs((run.duration ?? 0) - 2.5) < 0.002)
        #expect(run.claim == "SME-2 is order 2." && run.reading == "order 2.01 ± 0.03" && run.stdout == "line 1\nη = 0.1 ✓\n")
        #expect(run.pid == Int64(getpid()) && run.hostname == ProcessIdentity.current.hostname)
        let artifacts = try reopened.artifacts(of: id)
        #expect(artifacts.map(\.name) == ["weak-error.csv", "weak-error.svg", "weak-error.json", "notes"])
        #expect(artifacts.map(\.kind) == [.csv, .svg, .json, .txt])
        #expect(artifacts[0].contents == "eta,err\n0.1,0.02\n", "a later file of the same name replaces the earlier one")
        #expect(try reopened.runs().map(\.id) == [id])
    }

    @Test("status moves running → done or running → failed, and never out of a final status")
    func statusTransitions() throws {
        let store = try RunStore(path: temporaryStorePath())
        let a = try store.begin(study: "flow", spec: "flow", packageVersion: "0.8.0")
        #expect(try store.run(id: a).status == .running)
        #expect(try store.run(id: a).endedAt == nil)
        try store.finish(id: a, outcome: RunOutcome(reading: "ok"))
        #expect(try store.run(id: a).status == .done)
        #expect(throws: RunStoreError.invalidTransition(id: a, from: .done, to: .failed)) { try store.fail(id: a, message: "late") }
        #expect(throws: RunStoreError.invalidTransition(id: a, from: .done, to: .done)) { try store.finish(id: a, outcome: RunOutcome()) }

        let b = try store.begin(study: "gap", spec: "gap", packageVersion: "0.8.0")
        try store.fail(id: b, message: "--etas: must be positive", outcome: RunOutcome(stdout: "partial\n", artifacts: [("gap.csv", "a\n1\n")]))
        let failed = try store.run(id: b)
        #expect(failed.status == .failed && failed.errorMessage == "--etas: must be positive" && failed.stdout == "partial\n")
        #expect(try store.artifacts(of: b).count == 1)
        #expect(throws: RunStoreError.noSuchRun(id: 99, path: store.path)) { try store.finish(id: 99, outcome: RunOutcome()) }
        #expect(throws: RunStoreError.noSuchRun(id: 99, path: store.path)) { try store.run(id: 99) }
    }

    @Test("opening marks running runs of exited processes and of earlier boots interrupted, and leaves live ones running")
    func interruptedMarking() throws {
        let path = temporaryStorePath()
        let store = try RunStore(path: path)
        let live = try store.begin(study: "flow", spec: "a", packageVersion: "0.8.0")
        let exited = try store.begin(study: "flow", spec: "b", packageVersion: "0.8.0", owner: try exitedProcess())
        var earlierBoot = ProcessIdentity.current
        earlierBoot.bootId = "00000000-0000-0000-0000-000000000000"
        let rebooted = try store.begin(study: "flow", spec: "c", packageVersion: "0.8.0", owner: earlierBoot)
        var elsewhere = try exitedProcess()
        elsewhere.hostname = "another-host.invalid"
        let remote = try store.begin(study: "flow", spec: "d", packageVersion: "0.8.0", owner: elsewhere)
        var reused = ProcessIdentity.current
        reused.processStart = "1"
        let pidReused = try store.begin(study: "flow", spec: "e", packageVersion: "0.8.0", owner: reused)

        let reopened = try RunStore(path: path, create: false)
        #expect(try reopened.run(id: live).status == .running)
        #expect(try reopened.run(id: remote).status == .running, "another host's process cannot be checked")
        for id in [exited, rebooted] + (ProcessIdentity.current.processStart == nil ? [] : [pidReused]) {
            let run = try reopened.run(id: id)
            #expect(run.status == .interrupted && run.endedAt != nil && run.errorMessage != nil, "run \(id)")
        }
        #expect(throws: RunStoreError.invalidTransition(id: exited, from: .interrupted, to: .done)) {
            try reopened.finish(id: exited, outcome: RunOutcome())
        }
    }

    @Test("the latest done run with a spec hash is found; running, failed and other specs are not")
    func findDoneBySpecHash() throws {
        let store = try RunStore(path: temporaryStorePath())
        let hash = SHA256.hex("stationary --eta 0.1")
        #expect(try store.latestDoneRun(specHash: hash) == nil)
        let first = try store.begin(study: "stationary", spec: "stationary --eta 0.1", packageVersion: "0.8.0")
        #expect(try store.latestDoneRun(specHash: hash) == nil)
        try store.finish(id: first, outcome: RunOutcome())
        let failed = try store.begin(study: "stationary", spec: "stationary --eta 0.1", packageVersion: "0.8.0")
        try store.fail(id: failed, message: "x")
        let other = try store.begin(study: "stationary", spec: "stationary --eta 0.2", packageVersion: "0.8.0")
        try store.finish(id: other, outcome: RunOutcome())
        #expect(try store.latestDoneRun(specHash: hash)?.id == first)
        let second = try store.begin(study: "stationary", spec: "stationary --eta 0.1", packageVersion: "0.8.0")
        try store.finish(id: second, outcome: RunOutcome())
        #expect(try store.latestDoneRun(specHash: hash)?.id == second)
    }

    @Test("a text file, a truncated store and a foreign database give clear errors, not crashes, and stay unchanged")
    func corruptedFiles() throws {
        let text = temporaryStorePath("notes.sqlite")
        let garbage = String(repeating: "this is not a database\n", count: 300)
        try garbage.write(toFile: text, atomically: true, encoding: .utf8)
        #expect(throws: RunStoreError.notADatabase(path: text)) { try RunStore(path: text) }
        #expect(throws: RunStoreError.notADatabase(path: text)) { try RunStore(path: text, create: false) }
        #expect(try String(contentsOfFile: text, encoding: .utf8) == garbage)

        // A real store with its header overwritten.
        let damaged = temporaryStorePath()
        do {
            let store = try RunStore(path: damaged)
            _ = try store.begin(study: "flow", spec: "flow", packageVersion: "0.8.0")
        }
        let handle = try #require(FileHandle(forWritingAtPath: damaged))
        try handle.write(contentsOf: Data(repeating: 0x41, count: 100))
        try handle.close()
        #expect(throws: RunStoreError.notADatabase(path: damaged)) { try RunStore(path: damaged) }

        #expect(throws: RunStoreError.missingStore(path: damaged + ".absent")) { try RunStore(path: damaged + ".absent", create: false) }
        let noDir = NSTemporaryDirectory() + "/no-such-dir-\(UUID().uuidString)/s.sqlite"
        #expect(throws: RunStoreError.missingDirectory(path: noDir)) { try RunStore(path: noDir) }
        #expect(!FileManager.default.fileExists(atPath: noDir))
        let dir = URL(fileURLWithPath: text).deletingLastPathComponent().path
        #expect(throws: RunStoreError.isDirectory(path: dir)) { try RunStore(path: dir) }
    }

    @Test("an SQLite database without the store's tables is refused untouched")
    func foreignDatabase() throws {
        let path = temporaryStorePath("other.db")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sqlite3", path, "CREATE TABLE t(x); INSERT INTO t VALUES (1);"]
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "sqlite3 is needed to make a foreign database")
        #expect(throws: RunStoreError.notARunStore(path: path)) { try RunStore(path: path) }
    }

    @Test("SHA-256 of the FIPS 180-4 examples and of a multi-block text")
    func sha256() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test("artifact kinds come from the file extension, txt otherwise")
    func artifactKinds() {
        #expect(ArtifactKind(fileName: "a.CSV") == .csv)
        #expect(ArtifactKind(fileName: "b.svg") == .svg)
        #expect(ArtifactKind(fileName: "c.json") == .json)
        #expect(ArtifactKind(fileName: "d.tar.gz") == .txt)
        #expect(ArtifactKind(fileName: "csv") == .txt)
    }
}
