import Foundation
import Testing
@testable import SGDynamics

@Suite("Studies as library values")
struct StudyTests {
    @Test("GapStudy on the quartic (docs/THEORY.md §4.2): GD–gradient flow at order 1 ± 0.1, GD–IGR flow at order 2 ± 0.1")
    func gapOrders() throws {
        let r = try GapStudy(.init(objective: .init(name: "quartic"))).run(StudyContext())
        #expect(r.status == .ok && r.study == "gap")
        let gf = try #require(r.metric("order gf")), igr = try #require(r.metric("order igr"))
        #expect(abs(gf.value - 1) < 0.1 && abs(igr.value - 2) < 0.1)
        #expect(gf.expected == 1 && igr.expected == 2 && gf.low! < gf.value && gf.value < gf.high!)
        // the gap at η = 0.1 is the max over k of |x_k − X(kη)|, and GD with η = 0.1 is 10 steps
        let table = try #require(r.table("gap"))
        #expect(table.rows.count == 4 && table.numbers("steps").first! == 10)
        #expect(r.figures.first?.xScale == .log && r.figures.first?.series.count == 2)
    }

    @Test("GapStudy marks GD that diverges above 2/λ_max and leaves it out of the fit")
    func gapDivergence() throws {
        // f = ½(x² + 10y²): GD diverges for η > 0.2
        var c = GapStudy.Configuration(objective: .init(name: "ill-quadratic"), learningRates: [0.25, 0.05, 0.025, 0.0125])
        c.horizon = 40
        let r = try GapStudy(c).run(StudyContext())
        #expect(r.status == .diverged)
        #expect(r.warnings.contains { $0.kind == .diverged && $0.message.contains("0.25") })
        #expect(r.metric("gap gf at η=0.25") == nil && r.metric("gap gf at η=0.05") != nil)
    }

    @Test("WeakErrorStudy in exact mode gives the Li–Tai–E weak errors of docs/THEORY.md §5.3 (to 5 digits)")
    func weakErrorExact() throws {
        var c = WeakErrorStudy.Configuration()
        c.mode = .exact
        let r = try WeakErrorStudy(c).run(StudyContext())
        let expected: [(Double, Double, Double)] = [(0.1, 0.035498, 0.021072), (0.05, 0.020198, 0.0051703),
                                                    (0.025, 0.010621, 0.0012822), (0.0125, 0.0054419, 3.1936e-04)]
        for (eta, e1, e2) in expected {
            let m1 = try #require(r.metric("error SME-1 at η=\(eta)")), m2 = try #require(r.metric("error SME-2 at η=\(eta)"))
            #expect(abs(m1.value - e1) <= 5e-6 * max(1, e1 / 1e-2) && abs(m2.value / e2 - 1) < 2e-4, "η = \(eta)")
            #expect(m1.standardError == nil && m1.interval == nil, "exact values have no interval")
        }
        #expect(abs(r.metric("order SME-2")!.value - 2) < 0.05)
    }

    @Test("WeakErrorStudy by paired Monte Carlo: each exact weak error lies inside its simultaneous 95% interval (fixed seed)")
    func weakErrorMonteCarlo() throws {
        var exact = WeakErrorStudy.Configuration()
        exact.mode = .exact
        exact.learningRates = [0.1, 0.05]
        var mc = exact
        mc.mode = .mc
        mc.paths = 20_000
        let e = try WeakErrorStudy(exact).run(StudyContext())
        let m = try WeakErrorStudy(mc).run(StudyContext(threads: 2))
        for key in ["error SME-1 at η=0.1", "error SME-2 at η=0.1", "error SME-1 at η=0.05", "error SME-2 at η=0.05"] {
            let interval = try #require(m.metric(key)?.interval)
            #expect(interval.contains(e.metric(key)!.value), "\(key): \(interval) vs \(e.metric(key)!.value)")
        }
        // the same seed gives the same result for any thread count
        #expect(try WeakErrorStudy(mc).run(StudyContext(threads: 1)) == m)
    }

    @Test("bad configurations throw ConfigurationError naming the library parameter, before any work")
    func configurationErrors() {
        func field(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch let e as ConfigurationError { return e.field } catch { return "\(error)" }
        }
        #expect(field { _ = try GapStudy(.init(horizon: 1e308)) } == "horizon")
        #expect(field { _ = try GapStudy(.init(learningRates: [0.1, 1e-320])) } == "learningRates")
        #expect(field { _ = try GapStudy(.init(learningRates: [2], horizon: 1)) } == "horizon", "T shorter than one step")
        #expect(field { _ = try GapStudy(.init(objective: .init(name: "quartic", diagonal: [1]))) } == "diagonal")
        #expect(field { _ = try GapStudy(.init(models: [.gf, .gf])) } == "models")
        #expect(field { _ = try GapStudy(.init(learningRates: [-0.1])) } == "learningRates")
        #expect(field { _ = try GapStudy(.init(objective: .init(name: "nope"))) } == "objective")
        #expect(field { _ = try GapStudy(.init(objective: .init(name: "quartic", start: [1, 2]))) } == "start")
        #expect(field { _ = try GapStudy(.init(algorithm: .nesterov)) } == "models")
        var c = WeakErrorStudy.Configuration()
        c.test = "x9"
        #expect(field { _ = try WeakErrorStudy(c) } == "test")
        c = WeakErrorStudy.Configuration()
        c.objective = .leastSquares
        c.batch = 100_000
        #expect(field { _ = try WeakErrorStudy(c) } == "batch")
        c = WeakErrorStudy.Configuration()
        c.algorithm = .hb
        #expect(field { _ = try WeakErrorStudy(c) } == "models")
    }

    @Test("a result survives its JSON: numbers, NaN and infinities, intervals, words and empty cells")
    func resultRoundTrip() throws {
        var t = ResultTable(name: "t", title: "T", columns: [ResultColumn("a"), ResultColumn("b", kind: .interval), ResultColumn("c", kind: .text)])
        t.add([.number(.nan), .interval(low: -.infinity, high: 2.5), .text("nan?")])
        t.add([.number(0.1), .missing, .text("x")])
        let r = StudyResult(study: "s", claim: "c", reading: "r", tables: [t], metrics: [StudyMetric(key: "k", title: "K", value: .infinity)])
        let back = try StudyResult(json: try r.jsonText())
        #expect(back == r)
        #expect(throws: StudyEncodingError.self) { _ = try StudyResult(json: "{}") }
    }

    @Test("a spec is the same for the same configuration and changes with one byte of an input file")
    func specIdentity() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("d.csv").path
        try "x,y\n1,2\n2,3\n3,5\n".write(toFile: path, atomically: true, encoding: .utf8)
        var c = WeakErrorStudy.Configuration()
        c.objective = .leastSquares
        c.data = path
        c.mode = .mc
        let a = try WeakErrorStudy(c).spec(), b = try WeakErrorStudy(c).spec()
        #expect(a == b && a.hash.count == 64 && a.text.contains(path))
        try "x,y\n1,2\n2,3\n3,6\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try WeakErrorStudy(c).spec().hash != a.hash)
    }

    @Test("the context's cancellation stops a study with StudyCancelled")
    func cancellation() {
        #expect(throws: StudyCancelled.self) {
            _ = try GapStudy(.init()).run(StudyContext(isCancelled: { true }))
        }
    }

    @Test("GD above 2/λ_max: the gap study warns, marks the run diverged and leaves those η out of the order fit")
    func gapUnstableEta() throws {
        let r = try GapStudy(.init(learningRates: [0.3, 0.25, 0.1, 0.05, 0.025])).run(StudyContext())
        #expect(r.status == .diverged)
        #expect(r.warnings.filter { $0.message.contains("2/λ_max = 0.2") }.count == 2)
        let fit = try #require(r.metric("order gf"))
        #expect(abs(fit.value - 1) < 0.5, "fitted over the stable η only: \(fit.value)")
    }

    @Test("a weak-error study whose exact moments overflow reports no error there (never a false 0) and says why")
    func weakErrorOverflow() throws {
        var c = WeakErrorStudy.Configuration()
        c.mode = .exact
        c.start = [1e200, 1e200]
        let r = try WeakErrorStudy(c).run(StudyContext())
        #expect(r.status == .failed)
        #expect(r.reading.hasPrefix("No weak error could be measured"))
        #expect(r.metrics.allSatisfy { !$0.key.hasPrefix("error") }, "no error metric from non-finite moments")
        #expect(r.warnings.contains { $0.message.contains("not finite") })
    }

    @Test("when every Monte Carlo path diverges the weak-error study prints no statistic and says all paths diverged")
    func weakErrorAllDiverged() throws {
        var c = WeakErrorStudy.Configuration()
        c.mode = .mc
        c.paths = 64
        c.diagonal = [10, 1]
        c.learningRates = [0.5]
        c.horizon = 50
        let r = try WeakErrorStudy(c).run(StudyContext(threads: 1))
        #expect(r.status == .failed)
        #expect(r.reading.contains("all paths diverged"))
        #expect(r.tables[0].rows[0][2] == .text("—"))
        #expect(r.warnings.contains { $0.kind == .diverged && $0.message.contains("SGD paired with its SMEs") })
    }

    @Test("work that would take hours is refused before it starts (paths × steps × batch)")
    func weakErrorWorkBound() {
        var c = WeakErrorStudy.Configuration()
        c.mode = .mc
        c.paths = 2000
        c.batch = 1_000_000
        #expect(throws: ConfigurationError.self) { _ = try WeakErrorStudy(c) }
    }

    @Test("heavy ball with μ = 0 on a finite sum is SGD: its weak error against the regime-A SME equals SGD's against SME-1")
    func heavyBallFiniteSumReducesToSGD() throws {
        var c = WeakErrorStudy.Configuration()
        c.objective = .leastSquares
        c.mode = .mc
        c.paths = 64
        c.learningRates = [0.05]
        c.substeps = 1
        c.models = [.sme1]
        c.momentum = 0
        let sgd = try WeakErrorStudy(c).run(StudyContext(threads: 1))
        c.algorithm = .hb
        let hb = try WeakErrorStudy(c).run(StudyContext(threads: 1))
        let a = try #require(sgd.metric("error SME-1 at η=0.05")), b = try #require(hb.metric("error SME-1 (regime A, η/(1−μ)) at η=0.05"))
        #expect(abs(a.value - b.value) <= 1e-9 * max(1, abs(a.value)), "\(a.value) vs \(b.value)")
    }
}
