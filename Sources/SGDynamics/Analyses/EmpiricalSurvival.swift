import Foundation

/// The empirical survival function `S(r) = P(X > r) ≈ #{i : xᵢ ≥ r}/N` of a sample, at about
/// `points` log-spaced ranks of its positive finite values (a log–log tail plot, docs/THEORY.md §9):
/// with the values sorted descending, `v₍ₖ₎` is shown at height `(k + 1)/N` for ranks
/// `k = ⌊N_+^{q/points}⌋ − 1`, `q = 0…points` (duplicates dropped), `N_+` the positive values, `N` all.
///
///     EmpiricalSurvival.curve([4, 3, 2, 1]).y   // [0.25, 0.5, 0.75, 1]
public enum EmpiricalSurvival {
    public static func curve(_ values: [Double], points: Int = 300) -> (x: [Double], y: [Double]) {
        let v = values.filter { $0 > 0 && $0.isFinite }.sorted(by: >)
        let m = v.count
        guard m > 1, points >= 1 else { return ([], []) }
        var ranks: [Int] = []
        var last = -1
        for q in 0...points {
            let k = Int((pow(Double(m), Double(q) / Double(points))).rounded(.down)) - 1
            if k > last && k < m { ranks.append(k); last = k }
        }
        let total = Double(values.count)
        return (ranks.map { v[$0] }, ranks.map { Double($0 + 1) / total })
    }
}
