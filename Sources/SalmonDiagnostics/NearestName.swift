/// The closest name to `word` among `candidates`, for "did you mean" suggestions: a candidate the
/// word begins, else the nearest by edit distance (Levenshtein) within half the word's length
/// (at least 2 edits); nil when nothing is that close.
public func nearestName(to word: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
    if let prefixed = candidates.first(where: { $0.lowercased().hasPrefix(word.lowercased()) && !word.isEmpty }) { return prefixed }
    let w = Array(word.lowercased())
    let scored = candidates.map { ($0, distance(w, Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, w.count / 2) ? best.0 : nil
}
