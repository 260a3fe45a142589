import Foundation
import Testing

@Suite("simulate takes its shard from a Slurm array or a Kubernetes indexed Job")
struct ShardEnvironmentTests {
    static let args = ["simulate", "--paths", "3000", "--saves", "4", "--seed", "5", "--no-store"]

    /// The shard result an explicit `--shard` run writes, as JSON values (key order is not fixed).
    func explicit(_ shard: String, file: String) throws -> NSDictionary {
        let dir = CLI.tempDir()
        let r = try CLI.run(Self.args + ["--shard", shard, "--out", dir])
        #expect(r.status == 0, "\(r.stderr)")
        return try result(dir + "/" + file)
    }

    /// A shard result file as JSON values.
    func result(_ path: String) throws -> NSDictionary {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? NSDictionary)
    }

    @Test("SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT gives the same shard as --shard, with one line on stderr")
    func slurm() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(Self.args + ["--out", dir],
                            environment: ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "sgdyn: shard 2/4 from SLURM_ARRAY_TASK_ID=3, SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_COUNT=4\n")
        let fromEnvironment = try result(dir + "/shard-2-of-4.json")
        #expect(fromEnvironment.isEqual(try explicit("2/4", file: "shard-2-of-4.json")))
        #expect(!fromEnvironment.isEqual(try explicit("1/4", file: "shard-1-of-4.json")))
    }

    @Test("JOB_COMPLETION_INDEX with SGDYN_SHARD_COUNT gives the same shard as --shard; --shard wins over the environment")
    func kubernetes() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(Self.args + ["--out", dir], environment: ["JOB_COMPLETION_INDEX": "1", "SGDYN_SHARD_COUNT": "3"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("shard 1/3 from JOB_COMPLETION_INDEX=1, SGDYN_SHARD_COUNT=3"))
        let fromEnvironment = try result(dir + "/shard-1-of-3.json")
        #expect(fromEnvironment.isEqual(try explicit("1/3", file: "shard-1-of-3.json")))
        let given = try CLI.run(Self.args + ["--shard", "0/2", "--out", dir], environment: ["JOB_COMPLETION_INDEX": "1", "SGDYN_SHARD_COUNT": "3"], in: dir)
        #expect(given.status == 0 && given.stderr.isEmpty && FileManager.default.fileExists(atPath: dir + "/shard-0-of-2.json"))
    }

    @Test("bad shard variables give one line naming the variable, exit 64", arguments: [
        (["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"], "SLURM_ARRAY_TASK_ID"),
        (["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "2", "SLURM_ARRAY_TASK_COUNT": "4"], "SLURM_ARRAY_TASK_ID"),
        (["SLURM_ARRAY_TASK_ID": "two", "SLURM_ARRAY_TASK_COUNT": "4"], "SLURM_ARRAY_TASK_ID"),
        (["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "x"], "SLURM_ARRAY_TASK_COUNT"),
        (["SLURM_ARRAY_TASK_ID": "1"], "SLURM_ARRAY_TASK_COUNT"),
        (["JOB_COMPLETION_INDEX": "0"], "SGDYN_SHARD_COUNT"),
        (["JOB_COMPLETION_INDEX": "3", "SGDYN_SHARD_COUNT": "3"], "JOB_COMPLETION_INDEX"),
        (["JOB_COMPLETION_INDEX": "-1", "SGDYN_SHARD_COUNT": "3"], "JOB_COMPLETION_INDEX"),
        (["JOB_COMPLETION_INDEX": "1", "SGDYN_SHARD_COUNT": "0"], "JOB_COMPLETION_INDEX"),
        (["JOB_COMPLETION_INDEX": "1", "SGDYN_SHARD_COUNT": "three"], "SGDYN_SHARD_COUNT"),
    ])
    func badVariables(environment: [String: String], variable: String) throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(Self.args + ["--out", dir], environment: environment, in: dir)
        #expect(r.status == 64, "\(environment): exit \(r.status)")
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(variable), "\(r.stderr)")
    }
}
