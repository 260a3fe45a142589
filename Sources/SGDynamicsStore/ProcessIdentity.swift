import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The identity of a process, precise enough to tell later whether it is still running:
/// host name, boot id (Linux), process id and the process's start time (Linux, in clock ticks since boot).
///
/// A process is *gone* when it ran on this host and either this host has rebooted since (other boot id),
/// or no process has its pid (`kill(pid, 0)` fails with ESRCH), or the pid now belongs to a process that
/// started at another time (pid reuse). On another host nothing can be told, so it is never gone.
public struct ProcessIdentity: Sendable, Equatable {
    public var pid: Int64
    public var hostname: String
    public var bootId: String?
    public var processStart: String?

    public init(pid: Int64, hostname: String, bootId: String?, processStart: String?) {
        self.pid = pid
        self.hostname = hostname
        self.bootId = bootId
        self.processStart = processStart
    }

    /// This process.
    public static var current: ProcessIdentity {
        let pid = getpid()
        return ProcessIdentity(pid: Int64(pid), hostname: hostName(), bootId: currentBootId(), processStart: startTime(of: pid))
    }

    /// Whether the process this identity names has certainly ended, judged from `observer` (this process).
    public func isGone(seenFrom observer: ProcessIdentity = .current) -> Bool {
        guard hostname == observer.hostname else { return false }
        if let a = bootId, let b = observer.bootId, a != b { return true }
        guard pid > 0, pid <= Int64(Int32.max) else { return true }
        let pid = pid_t(pid)
        if kill(pid, 0) == -1 && errno == ESRCH { return true }
        if let then = processStart, let now = Self.startTime(of: pid), then != now { return true }
        #if os(Linux)
        if Self.isZombie(pid) { return true }
        #endif
        return false
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func currentBootId() -> String? {
        #if os(Linux)
        return (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #else
        return nil
        #endif
    }

    /// Fields of /proc/PID/stat after the command name (which may itself hold spaces and parentheses).
    static func statFields(of pid: pid_t) -> [Substring]? {
        #if os(Linux)
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
        #else
        return nil
        #endif
    }

    /// Field 22 of /proc/PID/stat: start time in clock ticks after boot.
    static func startTime(of pid: pid_t) -> String? {
        guard let fields = statFields(of: pid), fields.count > 19 else { return nil }
        return String(fields[19])
    }

    /// Field 3 of /proc/PID/stat is `Z` for a process that has exited but not yet been reaped.
    static func isZombie(_ pid: pid_t) -> Bool {
        guard let fields = statFields(of: pid), let state = fields.first else { return false }
        return state == "Z" || state == "X"
    }
}
