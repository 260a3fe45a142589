import Foundation
import Testing
@testable import sgdyn

@Suite("Progress bar")
struct ProgressBarTests {
    /// Collects what a bar writes.
    final class Sink: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func write(_ s: String) { lock.lock(); text += s; lock.unlock() }
        var written: String { lock.lock(); defer { lock.unlock() }; return text }
    }

    @Test("Rates and durations are short: 1.2e7, 350, 3.0s, 1m05s, 2h03m")
    func formatting() {
        #expect(ProgressBar.compact(1.234e7) == "1.2e7")
        #expect(ProgressBar.compact(9.96e6) == "1.0e7")
        #expect(ProgressBar.compact(350.2) == "350")
        #expect(ProgressBar.compact(4.56) == "4.6")
        #expect(ProgressBar.duration(3) == "3.0s")
        #expect(ProgressBar.duration(65) == "1m05s")
        #expect(ProgressBar.duration(7380) == "2h03m")
    }

    @Test("An enabled bar redraws in place with percent, rate and ETA, and finish ends the line; a disabled bar writes nothing")
    func rendering() throws {
        let sink = Sink()
        let bar = ProgressBar("weak-error η = 0.1", total: 1000, workPerUnit: 100, workName: "path-steps", enabled: true,
                              sink: { sink.write($0) })
        bar.update(10)   // too early: nothing drawn in the first quarter second
        #expect(sink.written.isEmpty)
        Thread.sleep(forTimeInterval: 0.3)
        bar.callback(offset: 400)?(50, 500)
        bar.update(460)  // within 0.1 s of the last redraw: throttled
        bar.finish()
        bar.update(700)  // after finish: ignored
        let lines = sink.written.split(separator: "\r", omittingEmptySubsequences: true).map(String.init)
        #expect(lines.count == 2, "\(sink.written.debugDescription)")
        #expect(lines[0].hasPrefix("weak-error η = 0.1 [###") && lines[0].contains("-]  45%")
                && lines[0].contains("path-steps/s") && lines[0].contains("ETA"), "\(lines[0].debugDescription)")
        #expect(lines[1].contains(" 46%") && lines[1].contains("done in") && lines[1].hasSuffix("\u{1B}[K\n"), "\(lines[1].debugDescription)")
        #expect(lines.allSatisfy { $0.count <= ProgressBar.maximumWidth + 4 })

        // A long label (a sweep's context in front) is shortened so that the line fits the terminal.
        let long = ProgressBar(String(repeating: "label ", count: 20), total: 100, enabled: true, sink: { _ in })
        for width in [60, 80, 200] {
            let text = long.line(elapsed: 1, final: false, maximumWidth: width)
            #expect(text.count <= width && text.contains("[---"), "\(width): \(text)")
        }

        let off = Sink()
        let quiet = ProgressBar("x", total: 10, enabled: false, sink: { off.write($0) })
        #expect(quiet.callback() == nil)
        Thread.sleep(forTimeInterval: 0.3)
        quiet.update(5)
        quiet.finish()
        #expect(off.written.isEmpty)
    }

    @Test("weak-error by Monte Carlo with stderr not a terminal writes nothing on stderr")
    func quietWhenNotATerminal() throws {
        let r = try CLI.run(["weak-error", "--mode", "mc", "--paths", "4000", "--etas", "0.1,0.05", "--no-files"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr.debugDescription)")
        #expect(r.stdout.contains("fitted order SME-1"))
    }
}
