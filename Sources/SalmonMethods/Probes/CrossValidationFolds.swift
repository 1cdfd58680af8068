import SalmonStatistics

/// A k-fold partition of rows: every row is held out exactly once.
///
/// Stratified for class labels (scikit-learn's `StratifiedKFold(shuffle=True)` in spirit): the
/// rows of each class are shuffled by the stream and dealt to the folds in turn, continuing from
/// class to class, so every fold's class proportions and size differ from the whole's by at most
/// one row per class. For continuous targets the rows are shuffled and cut into k near-equal folds.
public struct CrossValidationFolds: Sendable, Equatable {
    /// `fold[i]` is the fold that holds out row i.
    public var fold: [Int]
    public var count: Int

    /// Stratified folds for class labels.
    public init(labels: [Int], folds k: Int, stream: RandomStream) {
        precondition(k >= 2 && labels.count >= k, "cross-validation needs 2 ≤ folds ≤ rows")
        var s = stream
        var byClass: [Int: [Int]] = [:]
        for (i, label) in labels.enumerated() { byClass[label, default: []].append(i) }
        var fold = [Int](repeating: 0, count: labels.count)
        var next = 0
        for label in byClass.keys.sorted() {
            var rows = byClass[label] ?? []
            rows.shuffle(using: &s)
            for row in rows {
                fold[row] = next
                next = (next + 1) % k
            }
        }
        self.fold = fold
        self.count = k
    }

    /// Shuffled, unstratified folds of `rows` rows.
    public init(rows n: Int, folds k: Int, stream: RandomStream) {
        precondition(k >= 2 && n >= k, "cross-validation needs 2 ≤ folds ≤ rows")
        var s = stream
        var order = Array(0..<n)
        order.shuffle(using: &s)
        var fold = [Int](repeating: 0, count: n)
        for (position, row) in order.enumerated() { fold[row] = position * k / n }
        self.fold = fold
        self.count = k
    }

    /// The training and held-out rows of fold `f`, each ascending.
    public func split(_ f: Int) -> (train: [Int], test: [Int]) {
        var train: [Int] = [], test: [Int] = []
        for (row, g) in fold.enumerated() {
            if g == f { test.append(row) } else { train.append(row) }
        }
        return (train, test)
    }
}
