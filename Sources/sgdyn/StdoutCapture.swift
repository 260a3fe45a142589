import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tee on file descriptor 1: while active, everything written to stdout (by `print`, stdio or
/// `write(1, …)`) still reaches the real stdout and is also kept, in order, for the run store.
///
/// How: fd 1 is pointed (`dup2`) at the write end of a pipe; one reader thread copies each chunk
/// it reads from the pipe to a duplicate of the original stdout and appends it to a buffer. `finish()`
/// flushes stdio, points fd 1 back at the original (which closes the pipe's last write end), waits
/// for the reader to drain the pipe to end-of-file, and returns the text. One reader and one pipe
/// keep the bytes in order; nothing is lost because the reader stops only at end-of-file. When the
/// original stdout is a terminal, stdio is set to line buffering so progress still shows line by line.
final class StdoutCapture: @unchecked Sendable {
    private let original: Int32
    private let readEnd: Int32
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private let drained = DispatchSemaphore(value: 0)
    private var finished = false

    /// Start capturing, or return nil (and capture nothing) if the descriptors cannot be set up.
    static func start() -> StdoutCapture? {
        StandardOutputBuffer.flush()
        let original = dup(STDOUT_FILENO)
        guard original >= 0 else { return nil }
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { close(original); return nil }
        _ = fcntl(original, F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        if isatty(original) == 1 { StandardOutputBuffer.lineBuffered() }
        guard dup2(ends[1], STDOUT_FILENO) >= 0 else {
            close(ends[0]); close(ends[1]); close(original)
            return nil
        }
        close(ends[1])
        let capture = StdoutCapture(original: original, readEnd: ends[0])
        let thread = Thread { capture.pump() }
        thread.name = "sgdyn stdout tee"
        thread.start()
        return capture
    }

    private init(original: Int32, readEnd: Int32) {
        self.original = original
        self.readEnd = readEnd
    }

    /// The reader thread: pipe → real stdout and buffer, until end-of-file.
    private func pump() {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var forwarding = true
        while true {
            let n = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            lock.lock()
            bytes.append(contentsOf: chunk[0..<n])
            lock.unlock()
            if forwarding { forwarding = Self.writeAll(original, chunk[0..<n]) }
        }
        drained.signal()
    }

    /// Write every byte (retrying short writes); false once the real stdout stops taking bytes.
    private static func writeAll(_ fd: Int32, _ data: ArraySlice<UInt8>) -> Bool {
        var offset = data.startIndex
        while offset < data.endIndex {
            let n = data[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Stop capturing, restore stdout, and return everything written meanwhile (as UTF-8 text).
    func finish() -> String {
        if !finished {
            finished = true
            StandardOutputBuffer.flush()
            _ = dup2(original, STDOUT_FILENO)
            // The reader ends at end-of-file, once no process holds the pipe's write end; a child
            // process that inherited it could keep it open, so do not wait forever.
            if drained.wait(timeout: .now() + 10) == .success {
                close(readEnd)
                close(original)
            }
        }
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
