import Foundation
import Testing
@testable import SGDynamicsStore

@Suite("Importing run stores")
struct RunStoreImportTests {
    func store(_ runs: [(spec: String, file: String, done: Bool)]) throws -> RunStore {
        let s = try RunStore(path: temporaryStorePath())
        for r in runs {
            let id = try s.begin(study: "gap", spec: r.spec, packageVersion: "test")
            if r.done { try s.finish(id: id, outcome: RunOutcome(claim: "c", reading: "r", artifacts: [("gap.json", r.file)])) }
        }
        return s
    }

    @Test("finished runs are copied with their files; the same finished run is skipped; unfinished runs stay out")
    func importAndDuplicates() throws {
        let target = try store([("a", "1", true)])
        let source = try store([("a", "1", true), ("b", "2", true), ("c", "3", false)])
        let summary = try target.importRuns(from: source)
        #expect(summary.imported.map(\.source) == [2] && summary.duplicates.map(\.source) == [1])
        let runs = try target.runs()
        #expect(runs.map(\.spec) == ["a", "b"])
        #expect(try target.artifacts(of: runs[1].id!).map(\.contents) == ["2"])
        #expect(try target.importRuns(from: source).imported.isEmpty, "importing again adds nothing")
    }

    @Test("the same run with its files stored in another order is a duplicate, not a conflict")
    func orderOfFiles() throws {
        let a = try RunStore(path: temporaryStorePath()), b = try RunStore(path: temporaryStorePath())
        for (s, files) in [(a, [("z.svg", "1"), ("a.csv", "2")]), (b, [("a.csv", "2"), ("z.svg", "1")])] {
            let id = try s.begin(study: "noise", spec: "x", packageVersion: "test")
            try s.finish(id: id, outcome: RunOutcome(artifacts: files))
        }
        let summary = try a.importRuns(from: b)
        #expect(summary.imported.isEmpty && summary.duplicates.map(\.source) == [1])
    }

    @Test("the same spec with different results is a conflict: nothing of that source is imported")
    func conflict() throws {
        let target = try store([("a", "1", true)])
        let source = try store([("b", "2", true), ("a", "other", true)])
        #expect(throws: RunStoreError.self) { _ = try target.importRuns(from: source) }
        #expect(try target.runs().map(\.spec) == ["a"], "one transaction: run b was not imported either")
    }
}

@Suite("Reading a store read-only")
struct RunStoreReadOnlyTests {
    @Test("a store opened read-only lists and reads its runs, marks nothing, and refuses every write")
    func readOnly() throws {
        let path = temporaryStorePath()
        let writer = try RunStore(path: path)
        let id = try writer.begin(study: "gap", spec: "s", packageVersion: "test")
        try writer.finish(id: id, outcome: RunOutcome(claim: "c", reading: "r", artifacts: [("gap.json", "{}")]))
        let reader = try RunStore(path: path, create: false, readOnly: true)
        #expect(try reader.runs().map(\.spec) == ["s"])
        #expect(try reader.artifacts(of: id).map(\.name) == ["gap.json"])
        #expect(throws: RunStoreError.self) { _ = try reader.begin(study: "gap", spec: "t", packageVersion: "test") }
        #expect(throws: RunStoreError.self) { _ = try RunStore(path: temporaryStorePath(), create: true, readOnly: true) }
    }
}
