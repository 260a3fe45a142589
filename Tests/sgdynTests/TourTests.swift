import Foundation
import Testing

@Suite("sgdyn tour")
struct TourTests {
    @Test("tour --quick runs the five parts, keeps six runs in the store and ends with the path of a report that has every part and its pictures")
    func quickTour() throws {
        let dir = CLI.tempDir()
        let store = dir + "/tour.sqlite"
        let r = try CLI.run(["tour", "--quick", "--out", dir + "/tour", "--store", store])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let last = try #require(lines.last)
        #expect(last.hasPrefix("report: "))
        let path = String(last.dropFirst("report: ".count))
        let html = try String(contentsOfFile: path, encoding: .utf8)
        for tag in ["(a)", "(b)", "(c)", "(d)", "(e)"] {
            #expect(lines.contains { $0.hasPrefix(tag) }, "part \(tag) missing from stdout")
            #expect(html.contains("<h2>\(tag) "), "part \(tag) missing from the report")
        }
        #expect(lines.filter { $0.hasPrefix("Measured (run ") }.count == 6)
        // flow, gap, weak-error, two stationary laws, noise: at least one picture each
        #expect(html.components(separatedBy: "<svg").count - 1 >= 6)
        #expect(!html.contains("<script"))
        let list = try CLI.run(["runs", "list", "--store", store])
        #expect(list.status == 0, "\(list.stderr)")
        let done = list.stdout.split(separator: "\n").filter { $0.contains(" done ") }
        #expect(done.count == 6)
    }
}
