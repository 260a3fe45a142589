import Foundation
import Testing
import SGDynamics
@testable import sgdyn

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

@Suite("the tour as a library study")
struct TourLibraryTests {
    @Test("every command line the tour prints gives the spec of the library tour's step (quick and full)", arguments: [true, false])
    func commandsMatchSteps(quick: Bool) throws {
        var tour = try TourCommand.parse(quick ? ["--quick"] : [])
        tour.threads = 2
        let library = TourCommand.library(quick: quick).parts
        #expect(tour.parts.map(\.tag) == library.map(\.tag))
        for (cli, lib) in zip(tour.parts, library) {
            #expect(cli.commands.count == lib.steps.count, "part \(cli.tag)")
            for (command, step) in zip(cli.commands, lib.steps) {
                #expect(try StudyRecording.canonicalSpec(arguments: command) == step.spec().text, "part \(cli.tag): \(command)")
            }
        }
    }

    @Test("TourStudy (quick) runs every part and keeps each part's metrics under its tag")
    func composite() throws {
        let r = try TourStudy(.init(quick: true)).run(StudyContext(threads: 2))
        #expect(r.tables[0].rows.map { $0[0].textValue } == ["a1", "a2", "b", "c", "d", "e"])
        #expect(r.metric("b: order SME-2") != nil && r.metric("a2: order gf") != nil)
        // (d): the master equation's law at ηλ = 0.5 is Uniform[−1, 1], variance 1/3 (docs/THEORY.md §8.4)
        let variance = try #require(r.metric("d: variance master")?.value)
        #expect(abs(variance - 1.0 / 3) < 1e-3)
    }
}
