import Foundation
import Testing
@testable import SGDynamicsReport

@Suite("Axis: nice ticks")
struct AxisTests {
    /// Linear ticks enclose the data, are equally spaced by m·10^e with m ∈ {1, 2, 5}, and every tick is
    /// an integer multiple of the step.
    @Test func linearTicksCoverDataAndAreOneTwoFiveMultiples() {
        var rng = LCG(state: 42)
        for trial in 0..<500 {
            let scale = pow(10, 12 * rng.next() - 6)
            let a = (rng.next() - 0.5) * scale * (trial % 3 == 0 ? 100 : 1)
            let b = a + rng.next() * scale
            let target = 2 + trial % 9
            let axis = Axis(scale: .linear, fitting: [a, b, (a + b) / 2], targetTickCount: target)
            let ticks = axis.ticks.map(\.value)
            #expect(ticks.count >= 2)
            #expect(ticks.count <= 2 * target + 3, "too many ticks (\(ticks.count)) for target \(target)")
            #expect(ticks.first! <= a && ticks.last! >= b, "ticks \(ticks) miss [\(a), \(b)]")
            #expect(axis.lower <= a && axis.upper >= b)
            let step = ticks[1] - ticks[0]
            let exponent = floor(log10(step))
            let mantissa = step / pow(10, exponent)
            #expect([1.0, 2.0, 5.0, 10.0].contains { abs(mantissa - $0) < 1e-6 }, "step \(step) is not 1-2-5")
            for (u, v) in zip(ticks, ticks.dropFirst()) {
                #expect(abs((v - u) - step) <= 1e-9 * max(step, abs(v)))
            }
            for v in ticks {
                let k = v / step
                #expect(abs(k - k.rounded()) < 1e-6, "tick \(v) is not a multiple of \(step)")
            }
        }
    }

    /// Decimal ticks are the nearest doubles, so labels read 0.3, not 0.30000000000000004.
    @Test func decimalTicksAreExactDecimals() {
        let axis = Axis(scale: .linear, fitting: [0, 0.7], targetTickCount: 7)
        #expect(axis.ticks.map(\.value) == [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
        #expect(axis.ticks.map(\.label) == ["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"])
    }

    /// Major log ticks are powers of ten and the domain is whole decades enclosing the data.
    @Test func logTicksArePowersOfTen() {
        var rng = LCG(state: 7)
        for _ in 0..<300 {
            let lo = pow(10, 20 * rng.next() - 10)
            let hi = lo * pow(10, 6 * rng.next())
            let axis = Axis(scale: .log, fitting: [lo, hi], targetTickCount: 6)
            #expect(axis.lower <= lo && axis.upper >= hi)
            for bound in [axis.lower, axis.upper] {
                #expect(abs(log10(bound) - log10(bound).rounded()) < 1e-12, "bound \(bound) is not a power of ten")
            }
            let majors = axis.ticks.filter(\.isMajor)
            #expect(majors.count >= 2)
            for t in majors {
                #expect(abs(log10(t.value) - log10(t.value).rounded()) < 1e-12, "major tick \(t.value)")
                #expect(!t.label.isEmpty)
            }
        }
    }

    /// Within two decades, 2·10^k and 5·10^k are labeled too; beyond that only decades are.
    @Test func logMinorLabelsOnlyForNarrowRanges() {
        let narrow = Axis(scale: .log, fitting: [0.2, 7], targetTickCount: 6)
        #expect(narrow.lower == 0.1 && narrow.upper == 10)
        #expect(narrow.ticks.filter { !$0.label.isEmpty }.map(\.label) == ["0.1", "0.2", "0.5", "1", "2", "5", "10"])
        let wide = Axis(scale: .log, fitting: [1e-5, 3], targetTickCount: 6)
        for t in wide.ticks where !t.label.isEmpty {
            #expect(abs(log10(t.value) - log10(t.value).rounded()) < 1e-12)
        }
        #expect(wide.ticks.filter(\.isMajor).map(\.label) == ["1e-5", "1e-4", "0.001", "0.01", "0.1", "1", "10"])
    }

    /// Many decades: every k-th decade is labeled so that about the target count remains.
    @Test func logTicksThinOutOverManyDecades() {
        let axis = Axis(scale: .log, fitting: [1e-30, 1e30], targetTickCount: 6)
        let labeled = axis.ticks.filter { !$0.label.isEmpty }
        #expect(labeled.count >= 4 && labeled.count <= 8)
    }

    /// Degenerate data never traps and always gives a domain of positive width (data are clamped to
    /// magnitudes in [10⁻³⁰⁰, 10³⁰⁰]).
    @Test func degenerateRanges() {
        let cases: [[Double]] = [[], [3], [0], [-2, -2, -2], [.nan, .infinity], [1e300, 1e300],
                                 [-.greatestFiniteMagnitude, .greatestFiniteMagnitude], [.leastNonzeroMagnitude], [1, 1 + 1e-15]]
        for values in cases {
            for scale in [Scale.linear, .log] {
                let axis = Axis(scale: scale, fitting: values)
                #expect(axis.lower < axis.upper, "\(scale) \(values)")
                #expect(axis.lower.isFinite && axis.upper.isFinite)
                #expect(!axis.ticks.isEmpty)
                for v in values where scale.canShow(v) && abs(v) < 1e300 && abs(v) > 1e-300 {
                    #expect(axis.lower <= v && v <= axis.upper, "\(scale) \(values)")
                }
            }
        }
        let single = Axis(scale: .linear, fitting: [3])
        #expect(single.lower <= 2.7 && single.upper >= 3.3)
    }

    /// On a log axis non-positive values are skipped, not fatal.
    @Test func logAxisSkipsNonPositiveValues() {
        let axis = Axis(scale: .log, fitting: [-1, 0, 0.5, 20, -.infinity])
        #expect(axis.lower == 0.1 && axis.upper == 100)
        #expect(axis.fraction(of: 0) == nil)
        #expect(axis.fraction(of: -3) == nil)
        #expect(axis.fraction(of: 1) != nil)
        let empty = Axis(scale: .log, fitting: [-1, 0])
        #expect(empty.lower == 1 && empty.upper == 10)
    }

    /// A fixed domain is kept exactly, with ticks only inside it.
    @Test func fixedDomain() {
        let axis = Axis(scale: .linear, domain: -1.2...1.2, targetTickCount: 6)
        #expect(axis.lower == -1.2 && axis.upper == 1.2)
        #expect(axis.ticks.allSatisfy { $0.value >= -1.2 && $0.value <= 1.2 })
        #expect(axis.ticks.map(\.label).contains("0"))
        let bad = Axis(scale: .log, domain: -1...0)
        #expect(bad.lower > 0 && bad.lower < bad.upper)
    }
}
