// No Foundation here: with Foundation imported, Swift 6 refuses C's global `stdout` as shared mutable
// state even under @preconcurrency. Only the main thread calls these.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// The C library's buffer in front of file descriptor 1 (where Swift's `print` writes).
enum StandardOutputBuffer {
    /// Write out whatever stdio holds for stdout.
    static func flush() { fflush(stdout) }

    /// Flush stdout at every newline (as stdio does for a terminal), whatever fd 1 points at later.
    static func lineBuffered() { setvbuf(stdout, nil, _IOLBF, 0) }

    /// Flush stdout; the `errno` of the failure when what was printed did not all reach fd 1, else nil.
    static func flushFailure() -> Int32? {
        errno = 0
        if fflush(stdout) != 0 || ferror(stdout) != 0 { return errno == 0 ? EIO : errno }
        return nil
    }
}
