import SalmonStatistics

/// Control tasks (Hewitt & Liang, "Designing and interpreting probes with control tasks", EMNLP
/// 2019): every input *type* gets a fixed label drawn at random from the empirical distribution
/// of the task's labels, and every row of that type carries it. A probe that does as well on the
/// control task as on the real one shows its own capacity to memorize, not structure in the
/// representation; **selectivity** = task accuracy − control accuracy.
public enum ControlTask {
    /// The control labels: for each distinct type (in ascending order of type), one draw from the
    /// empirical label distribution (a uniformly chosen row's label), from `stream`.
    public static func labels(types: [Int], taskLabels: [Int], stream: RandomStream) -> [Int] {
        precondition(types.count == taskLabels.count && !types.isEmpty, "control task: one type per labelled row")
        var s = stream
        var assigned: [Int: Int] = [:]
        for type in Set(types).sorted() {
            assigned[type] = taskLabels[s.index(below: taskLabels.count)]
        }
        return types.map { assigned[$0] ?? 0 }
    }
}
