/// Comparing two dictionaries (two SAEs' decoders, or an SAE's decoder and the true features of a
/// toy task): cosine similarities of their directions, the best one-to-one matching, and the mean
/// best match in each direction. All sums in `Double`.
///
/// - ``matchedMean(_:rows:columns:)``: the mean similarity of the one-to-one matching that
///   maximizes the total (the linear assignment problem, solved exactly by the Hungarian method;
///   `scipy.optimize.linear_sum_assignment` with `maximize=True` solves the same problem). With
///   decoder cosines this is the pairwise dictionary mean correlation coefficient (PW-MCC) of
///   Song et al. (arXiv 2505.20254); with latent activation correlations, the activation-based
///   matching of Paulo & Belrose (arXiv 2501.16615).
/// - ``meanMaxSimilarity(_:rows:columns:)``: the mean over rows of each row's best similarity (and
///   over columns): for learned atoms against true features, the mean max cosine similarity (MMCS)
///   of Sharkey et al. (2022), learned→true, and its converse true→learned (how many true features
///   some atom finds).
public enum DictionaryComparison {
    /// The `rows × columns` matrix (row-major) of cosine similarities between the rows of `a`
    /// (`rows × width`) and the rows of `b` (`columns × width`). A zero row has similarity 0 to
    /// everything (no direction).
    public static func cosineSimilarities(_ a: [Float], rows: Int, _ b: [Float], columns: Int, width: Int) -> [Double] {
        precondition(a.count == rows * width && b.count == columns * width, "DictionaryComparison: sizes")
        func norms(_ x: [Float], _ n: Int) -> [Double] {
            (0..<n).map { r in
                var s = 0.0
                for c in 0..<width { let v = Double(x[r * width + c]); s += v * v }
                return s.squareRoot()
            }
        }
        let na = norms(a, rows), nb = norms(b, columns)
        var out = [Double](repeating: 0, count: rows * columns)
        for i in 0..<rows where na[i] > 0 {
            for j in 0..<columns where nb[j] > 0 {
                var dot = 0.0
                for c in 0..<width { dot += Double(a[i * width + c]) * Double(b[j * width + c]) }
                out[i * columns + j] = dot / (na[i] * nb[j])
            }
        }
        return out
    }

    /// The `latentsA × latentsB` matrix of Pearson correlations between the columns of two codes
    /// on the same `samples` inputs (`samples × latentsA`, `samples × latentsB`). A latent that is
    /// constant on the inputs (dead, or always on at one value) correlates 0 with everything.
    public static func activationCorrelations(_ a: [Float], latentsA: Int, _ b: [Float], latentsB: Int, samples: Int) -> [Double] {
        precondition(samples >= 1 && a.count == samples * latentsA && b.count == samples * latentsB, "DictionaryComparison: sizes")
        func centred(_ x: [Float], _ k: Int) -> (values: [Double], norms: [Double]) {
            var mean = [Double](repeating: 0, count: k)
            for s in 0..<samples { for j in 0..<k { mean[j] += Double(x[s * k + j]) } }
            for j in 0..<k { mean[j] /= Double(samples) }
            var values = [Double](repeating: 0, count: samples * k)
            var norms = [Double](repeating: 0, count: k)
            for s in 0..<samples {
                for j in 0..<k {
                    let v = Double(x[s * k + j]) - mean[j]
                    values[s * k + j] = v
                    norms[j] += v * v
                }
            }
            return (values, norms.map { $0.squareRoot() })
        }
        let ca = centred(a, latentsA), cb = centred(b, latentsB)
        var out = [Double](repeating: 0, count: latentsA * latentsB)
        for i in 0..<latentsA where ca.norms[i] > 0 {
            for j in 0..<latentsB where cb.norms[j] > 0 {
                var dot = 0.0
                for s in 0..<samples { dot += ca.values[s * latentsA + i] * cb.values[s * latentsB + j] }
                out[i * latentsB + j] = dot / (ca.norms[i] * cb.norms[j])
            }
        }
        return out
    }

    /// The one-to-one matching of rows to columns that maximizes the total similarity, and the mean
    /// similarity over its min(rows, columns) pairs.
    /// - Returns: `assignment[i]` the column matched to row i (nil for the rows left unmatched
    ///   when there are more rows than columns).
    public static func matchedMean(_ similarity: [Double], rows: Int, columns: Int) -> (mean: Double, assignment: [Int?]) {
        precondition(rows >= 1 && columns >= 1 && similarity.count == rows * columns, "DictionaryComparison: sizes")
        if rows <= columns {
            let cost = similarity.map { -$0 }
            let match = assignment(cost: cost, rows: rows, columns: columns)
            let total = (0..<rows).reduce(0.0) { $0 + similarity[$1 * columns + match[$1]] }
            return (total / Double(rows), match.map { Optional($0) })
        }
        var transposed = [Double](repeating: 0, count: rows * columns)
        for i in 0..<rows { for j in 0..<columns { transposed[j * rows + i] = -similarity[i * columns + j] } }
        let match = assignment(cost: transposed, rows: columns, columns: rows)
        var result = [Int?](repeating: nil, count: rows)
        var total = 0.0
        for j in 0..<columns { result[match[j]] = j; total += similarity[match[j] * columns + j] }
        return (total / Double(columns), result)
    }

    /// The mean over rows of each row's largest similarity, and the mean over columns of each
    /// column's largest.
    public static func meanMaxSimilarity(_ similarity: [Double], rows: Int, columns: Int) -> (rowsToColumns: Double, columnsToRows: Double) {
        precondition(rows >= 1 && columns >= 1 && similarity.count == rows * columns, "DictionaryComparison: sizes")
        var byRow = 0.0
        for i in 0..<rows { byRow += (0..<columns).map { similarity[i * columns + $0] }.max() ?? 0 }
        var byColumn = 0.0
        for j in 0..<columns { byColumn += (0..<rows).map { similarity[$0 * columns + j] }.max() ?? 0 }
        return (byRow / Double(rows), byColumn / Double(columns))
    }

    /// The minimum-cost assignment of each of `rows` rows to a distinct one of `columns ≥ rows`
    /// columns: the Hungarian method with potentials (Kuhn 1955; Munkres 1957), in the O(rows² ·
    /// columns) form of Jonker & Volgenant's shortest augmenting paths. Exact for any finite costs.
    /// - Returns: the column assigned to each row.
    public static func assignment(cost: [Double], rows n: Int, columns m: Int) -> [Int] {
        precondition(n >= 1 && n <= m && cost.count == n * m, "assignment: rows ≤ columns")
        // 1-based potentials u (rows), v (columns); p[j] the row matched to column j (0: none).
        var u = [Double](repeating: 0, count: n + 1), v = [Double](repeating: 0, count: m + 1)
        var p = [Int](repeating: 0, count: m + 1), way = [Int](repeating: 0, count: m + 1)
        var minimum = [Double](repeating: 0, count: m + 1)
        var used = [Bool](repeating: false, count: m + 1)
        for i in 1...n {
            p[0] = i
            var j0 = 0
            for j in 0...m { minimum[j] = .infinity; used[j] = false }
            repeat {
                used[j0] = true
                let i0 = p[j0]
                var delta = Double.infinity, j1 = 0
                for j in 1...m where !used[j] {
                    let reduced = cost[(i0 - 1) * m + (j - 1)] - u[i0] - v[j]
                    if reduced < minimum[j] { minimum[j] = reduced; way[j] = j0 }
                    if minimum[j] < delta { delta = minimum[j]; j1 = j }
                }
                for j in 0...m {
                    if used[j] { u[p[j]] += delta; v[j] -= delta } else { minimum[j] -= delta }
                }
                j0 = j1
            } while p[j0] != 0
            repeat {
                let j1 = way[j0]
                p[j0] = p[j1]
                j0 = j1
            } while j0 != 0
        }
        var result = [Int](repeating: 0, count: n)
        for j in 1...m where p[j] != 0 { result[p[j] - 1] = j - 1 }
        return result
    }
}
