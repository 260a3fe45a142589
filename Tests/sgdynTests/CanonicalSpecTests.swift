import Foundation
import Testing
@testable import sgdyn

@Suite("canonical spec of a command line")
struct CanonicalSpecTests {
    @Test("the same study gives the same text whatever the order, spelling, defaults given or output-only options")
    func sameStudySameText() throws {
        let plain = try StudyRecording.canonicalSpec(arguments: ["weak-error", "--mode", "mc", "--etas", "0.1,0.05"])
        let variants: [[String]] = [
            ["weak-error", "--etas", "0.1,0.05", "--mode", "mc"],
            ["weak-error", "--etas=0.10,0.050", "--mode=mc", "--horizon", "1", "--seed", "1"],
            ["weak-error", "--mode", "auto", "--mode", "mc", "--etas", "1e-1, 5e-2", "--paths", "100000", "--momentum", "0.50"],
            ["weak-error", "--mode", "mc", "--etas", "0.1,0.05", "--threads", "1", "--no-files", "--out", "/tmp/x",
             "--store", "other.sqlite", "--no-store", "--diagonal", "1.0,2", "--models", "sme1,sme2", "--batch", "+1"],
        ]
        for v in variants {
            #expect(try StudyRecording.canonicalSpec(arguments: v) == plain, "\(v)")
        }
    }

    @Test("a result-relevant change changes the text")
    func differentStudyDifferentText() throws {
        let base = try StudyRecording.canonicalSpec(arguments: ["weak-error", "--mode", "mc"])
        for change in [["--seed", "2"], ["--etas", "0.05,0.1"], ["--mode", "exact"], ["--x0", "1,2"], ["--horizon", "1.5"]] {
            #expect(try StudyRecording.canonicalSpec(arguments: ["weak-error", "--mode", "mc"] + change) != base, "\(change)")
        }
        #expect(try StudyRecording.canonicalSpec(arguments: ["flow"]) != StudyRecording.canonicalSpec(arguments: ["gap"]))
    }

    @Test("a library study's spec is its configuration as canonical JSON: sorted keys, every default, no output-only option")
    func shape() throws {
        let text = try StudyRecording.canonicalSpec(arguments: ["weak-error", "--seed", "9", "--threads", "1", "--no-files"])
        let root = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(root["study"] as? String == "weak-error")
        let c = try #require(root["configuration"] as? [String: Any])
        #expect(Set(c.keys) == ["algorithm", "batch", "diagonal", "learningRates", "horizon", "mode", "models", "momentum",
                                "objective", "paths", "seed", "start", "substeps", "test"])
        // defaults are filled in: the start point and the mode that `auto` picks
        #expect(c["start"] as? [Double] == [1, 1] && c["mode"] as? String == "exact")
        #expect(try StudyRecording.canonicalSpec(arguments: ["weak-error", "--seed", "9"])
                == StudyRecording.canonicalSpec(arguments: ["weak-error", "--seed", "9", "--x0", "1,1", "--mode", "exact"]))
        #expect(c["seed"] as? Int == 9 && c["paths"] as? Int == 100000 && c["horizon"] as? Double == 1)
        #expect(!text.contains("threads") && !text.contains("files"))
        // Keys are sorted, so the same configuration is the same text.
        let keys = ["\"algorithm\"", "\"batch\"", "\"diagonal\"", "\"horizon\"", "\"learningRates\""].map { text.range(of: $0)!.lowerBound }
        #expect(keys == keys.sorted())
        // fokker-planck is a library study too: its stationary law is the default, so --stationary is the same spec;
        // output-only flags are not recorded.
        let fp = try StudyRecording.canonicalSpec(arguments: ["fokker-planck", "--no-files"])
        #expect(fp.contains("\"study\":\"fokker-planck\"") && fp.contains("\"temperature\":0.3") && !fp.contains("no-files") && !fp.contains("\"time\""))
        #expect(try StudyRecording.canonicalSpec(arguments: ["fokker-planck", "--stationary"]) == fp)
    }

    @Test("the spec of a study on a data file includes the file's content hash: one changed byte is another spec")
    func dataFileHash() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sgdyn-spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("d.csv").path
        try "a,b,y\n1,2,3\n2,1,0\n0,1,1\n3,3,2\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let args = ["weak-error", "--objective", "least-squares", "--data", csv, "--mode", "mc"]
        let before = try StudyRecording.canonicalSpec(arguments: args)
        #expect(before.contains("\"inputs\":{\"\(csv)\":\""))
        try "a,b,y\n1,2,3\n2,1,0\n0,1,1\n3,3,1\n".write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(try StudyRecording.canonicalSpec(arguments: args) != before)
    }

    @Test("numbers have one spelling; other text is kept", arguments: [
        ("0.10", "0.1"), ("1.0", "1"), ("1e-1", "0.1"), ("+3", "3"), ("007", "7"), ("-0.0", "0"), ("1e5", "100000"),
        ("18446744073709551615", "18446744073709551615"), ("2.5e-20", "2.5e-20"), ("-3.0:3:121.0", "-3:3:121"),
        ("1, 2.50", "1,2.5"), ("li-tai-e", "li-tai-e"), ("x1^4", "x1^4"), ("0x10", "0x10"), ("inf", "inf"), ("", ""),
    ])
    func canonicalValues(input: String, expected: String) {
        #expect(StudyInvocation.canonicalValue(input) == expected)
    }

    @Test("a job array's shard from the environment is part of a sharded study's spec")
    func shardFromEnvironment() throws {
        let explicit = try StudyInvocation(arguments: ["simulate", "--shard", "1/4"]).canonicalText(environment: [:])
        let slurm = try StudyInvocation(arguments: ["simulate"]).canonicalText(environment: [
            "SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"])
        #expect(explicit == slurm && explicit.contains("shard=1/4\n"))
        let whole = try StudyInvocation(arguments: ["simulate"]).canonicalText(environment: [:])
        #expect(!whole.contains("shard="))
    }
}
