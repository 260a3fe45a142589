import Foundation
import SGDynamics

/// The shard of a job array, read from the scheduler's environment when `--shard` is not given.
///
/// - Slurm job arrays: `SLURM_ARRAY_TASK_ID` and `SLURM_ARRAY_TASK_COUNT`, made 0-based with
///   `SLURM_ARRAY_TASK_MIN` (and divided by `SLURM_ARRAY_TASK_STEP` for `--array=a-b:s`), so
///   `--array=1-4` runs shards 0/4 … 3/4.
/// - Kubernetes indexed Jobs: `JOB_COMPLETION_INDEX` (0-based). Kubernetes gives no count, so the
///   count comes from `SGDYN_SHARD_COUNT` (set it to the Job's `completions`).
///
/// Slurm wins when both are set. Values that are not whole numbers, or an index outside 0..<count,
/// are usage errors naming the variable.
struct ShardEnvironment {
    /// The shard to run.
    let shard: Shard
    /// The variables it came from, for the one line `sgdyn simulate` prints on stderr.
    let source: String

    /// The shard the environment asks for, or nil when it names none.
    static func resolve(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ShardEnvironment? {
        func number(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            // Bounded so that no arithmetic on them can overflow (a job array has at most 2³¹ tasks).
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= -Int(Int32.max), n <= Int(Int32.max) else {
                throw CLIError.usage(name, "must be a whole number between −2³¹ and 2³¹, got '\(ErrorReport.escaped(text))'")
            }
            return n
        }
        if let id = try number("SLURM_ARRAY_TASK_ID") {
            guard let count = try number("SLURM_ARRAY_TASK_COUNT") else {
                throw CLIError.usage("SLURM_ARRAY_TASK_COUNT", "is not set although SLURM_ARRAY_TASK_ID is; give --shard i/N instead")
            }
            let first = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            let step = try number("SLURM_ARRAY_TASK_STEP") ?? 1
            guard step >= 1, (id - first) % step == 0 else {
                throw CLIError.usage("SLURM_ARRAY_TASK_ID", "task \(id) is not on the array's grid (min \(first), step \(step)); give --shard i/N instead")
            }
            let index = (id - first) / step
            guard count >= 1, index >= 0, index < count else {
                throw CLIError.usage("SLURM_ARRAY_TASK_ID", "task \(id) gives shard index \(index) (minus SLURM_ARRAY_TASK_MIN=\(first)), outside 0..<\(count) (SLURM_ARRAY_TASK_COUNT)")
            }
            var parts = ["SLURM_ARRAY_TASK_ID=\(id)"]
            if environment["SLURM_ARRAY_TASK_MIN"] != nil { parts.append("SLURM_ARRAY_TASK_MIN=\(first)") }
            if environment["SLURM_ARRAY_TASK_STEP"] != nil { parts.append("SLURM_ARRAY_TASK_STEP=\(step)") }
            parts.append("SLURM_ARRAY_TASK_COUNT=\(count)")
            return ShardEnvironment(shard: try Shard(index: index, count: count), source: parts.joined(separator: ", "))
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            guard let count = try number("SGDYN_SHARD_COUNT") else {
                throw CLIError.usage("SGDYN_SHARD_COUNT", "is not set; Kubernetes gives JOB_COMPLETION_INDEX but no count, so set SGDYN_SHARD_COUNT to the Job's completions")
            }
            guard count >= 1, index >= 0, index < count else {
                throw CLIError.usage("JOB_COMPLETION_INDEX", "is \(index), outside 0..<\(count) (SGDYN_SHARD_COUNT)")
            }
            return ShardEnvironment(shard: try Shard(index: index, count: count),
                                    source: "JOB_COMPLETION_INDEX=\(index), SGDYN_SHARD_COUNT=\(count)")
        }
        return nil
    }
}
