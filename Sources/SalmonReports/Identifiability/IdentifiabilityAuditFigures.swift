import Foundation
import SalmonAudit
import SalmonStatistics

/// The SVG figures of an identifiability audit, deterministic (coordinates with two fixed
/// decimals): the perfect-circuit counts per network by width, the best cross-seed overlaps per
/// width, and every claim's bounds against its threshold.
public enum IdentifiabilityAuditFigures {
    /// File names (inside `figures/`) and contents, in the order the report shows them.
    public static func all(_ r: IdentifiabilityAuditResult) -> [(name: String, svg: String)] {
        var out = [("perfect-circuits.svg", perfectCircuits(r)), ("claims.svg", claims(r))]
        for w in r.widths where !w.seedPairs.isEmpty {
            out.append(("overlap-w\(w.width).svg", overlap(w)))
        }
        return out
    }

    static func f(_ v: Double) -> String { SVGCanvas.f(v) }

    /// The canvas with the figure's title written in its top-left corner.
    static func header(width: Double, height: Double, title: String) -> String {
        SVGCanvas.header(width: width, height: height, title: title) + SVGCanvas.text(8, 16, title, size: 12, attributes: "font-weight=\"bold\"")
    }

    /// Perfect circuits per converged seed network (log scale; 0 drawn at the bottom), one column
    /// per width, with the median and interquartile range.
    static func perfectCircuits(_ r: IdentifiabilityAuditResult) -> String {
        let width = 520.0, height = 280.0, left = 64.0, right = 16.0, top = 34.0, bottom = 236.0
        let values = r.widths.flatMap { w in w.networks.filter { $0.resample == nil }.compactMap(\.perfectCircuits) }
        let decades = max(1, Int(ceil(log10(max(values.max() ?? 10, 10)))))
        func y(_ v: Double) -> Double { bottom - (bottom - top) * log10(max(v, 1)) / Double(decades) }
        func x(_ i: Int) -> Double { left + (width - left - right) * (Double(i) + 0.5) / Double(max(r.widths.count, 1)) }
        var svg = header(width: width, height: height, title: "Perfect circuits per converged network (\(r.spec.gate.rawValue.uppercased()))")
        for d in 0...decades {
            let yy = y(pow(10, Double(d)))
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(yy))\" x2=\"\(f(width - right))\" y2=\"\(f(yy))\" stroke=\"#d0d7de\"/>\n"
            svg += NullFigure.text(left - 6, yy + 4, d == 0 ? "≤ 1" : "1e\(d)", size: 10, attributes: "text-anchor=\"end\" fill=\"#424a53\"")
        }
        for (i, w) in r.widths.enumerated() {
            svg += NullFigure.text(x(i), bottom + 18, "w = \(w.width) (\(w.converged)/\(w.trained) converged)", size: 10,
                                   attributes: "text-anchor=\"middle\" fill=\"#424a53\"")
            if let q = w.quartiles, let m = w.medianPerfect {
                svg += "<line x1=\"\(f(x(i)))\" y1=\"\(f(y(q[0])))\" x2=\"\(f(x(i)))\" y2=\"\(f(y(q[1])))\" stroke=\"#0969da\" stroke-width=\"8\" stroke-opacity=\"0.3\"/>\n"
                svg += "<line x1=\"\(f(x(i) - 16))\" y1=\"\(f(y(m)))\" x2=\"\(f(x(i) + 16))\" y2=\"\(f(y(m)))\" stroke=\"#0969da\" stroke-width=\"2\"/>\n"
            }
            let counts = w.networks.filter { $0.resample == nil }.compactMap(\.perfectCircuits)
            for (k, c) in counts.enumerated() {
                let jitter = (Double((k * 37) % 21) - 10) * 1.4
                svg += "<circle cx=\"\(f(x(i) + jitter))\" cy=\"\(f(y(c)))\" r=\"2.4\" fill=\"#cf222e\" fill-opacity=\"0.6\"/>\n"
            }
        }
        svg += "<text x=\"14\" y=\"\(f((top + bottom) / 2))\" font-size=\"10\" fill=\"#424a53\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(f((top + bottom) / 2)))\">perfect circuits (log scale)</text>\n"
        return svg + SVGCanvas.close
    }

    /// The best overlap (up to relabeling) of every pair of converged seeds at one width, as a
    /// histogram over [0, 1], with the mean and its interval.
    static func overlap(_ w: IdentifiabilityAuditResult.WidthResult) -> String {
        let width = 480.0, height = 200.0, left = 44.0, right = 468.0, top = 40.0, bottom = 160.0, bins = 20
        var counts = [Int](repeating: 0, count: bins)
        for p in w.seedPairs { counts[min(bins - 1, Int(p.best * Double(bins)))] += 1 }
        let tallest = Double(counts.max() ?? 1)
        func x(_ v: Double) -> Double { left + v * (right - left) }
        var svg = header(width: width, height: height, title: "Width \(w.width): best overlap of two seeds' \(w.overlapCircuits) circuits, up to relabeling")
        let mean = w.meanBestOverlap
        svg += NullFigure.text(8, 31, "\(w.seedPairs.count) seed pairs · mean \(ReportNumberFormat.estimate(mean.value ?? .nan, interval: mean.interval)) · sharing a circuit \(ReportNumberFormat.fixed(w.fractionOfPairsSharingACircuit.value))",
                               size: 10, attributes: "fill=\"#424a53\"")
        if let ci = mean.interval {
            svg += "<rect x=\"\(f(x(ci.lower)))\" y=\"\(f(top))\" width=\"\(f(max(x(ci.upper) - x(ci.lower), 0)))\" height=\"\(f(bottom - top))\" fill=\"#0969da\" fill-opacity=\"0.15\"/>\n"
        }
        let binWidth = (right - left) / Double(bins)
        for (i, c) in counts.enumerated() where c > 0 {
            let h = Double(c) / tallest * (bottom - top)
            svg += "<rect x=\"\(f(left + Double(i) * binWidth))\" y=\"\(f(bottom - h))\" width=\"\(f(binWidth))\" height=\"\(f(h))\" fill=\"#8c959f\" stroke=\"#ffffff\" stroke-width=\"0.5\"/>\n"
        }
        if let m = mean.value {
            svg += "<line x1=\"\(f(x(m)))\" y1=\"\(f(top))\" x2=\"\(f(x(m)))\" y2=\"\(f(bottom))\" stroke=\"#0969da\" stroke-width=\"2\"/>\n"
        }
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(bottom))\" x2=\"\(f(right))\" y2=\"\(f(bottom))\" stroke=\"#424a53\"/>\n"
        for t in stride(from: 0.0, through: 1.0, by: 0.25) {
            svg += NullFigure.text(x(t), bottom + 14, ReportNumberFormat.fixed(t, decimals: 2), size: 10, attributes: "text-anchor=\"middle\" fill=\"#424a53\"")
        }
        svg += NullFigure.text((left + right) / 2, bottom + 30, "best Jaccard overlap of node-and-edge sets (1 = identical up to relabeling)", size: 10,
                               attributes: "text-anchor=\"middle\" fill=\"#424a53\"")
        return svg + SVGCanvas.close
    }

    static func color(_ v: IdentifiabilityVerdict) -> String {
        switch v {
        case .supported: return "#1a7f37"
        case .contradicted: return "#cf222e"
        case .inconclusive: return "#9a6700"
        }
    }

    /// One row per claim and width: its one-sided bounds as a bar, the estimate as a dot, the
    /// threshold as a tick, on the statistic's own scale ([0, 1] for fractions and overlaps); for a
    /// claim against a null, the tick is the null networks' mean (no bar: a permutation test).
    static func claims(_ r: IdentifiabilityAuditResult) -> String {
        let rowHeight = 26.0, top = 40.0, left = 250.0, right = 500.0
        let height = top + rowHeight * Double(max(r.claims.count, 1)) + 24
        var svg = header(width: 600, height: height, title: "Claims: one-sided bounds (bar), estimate (dot), threshold (tick)")
        for (i, c) in r.claims.enumerated() {
            let yy = top + rowHeight * (Double(i) + 0.5)
            let tick = c.basis.kind == .againstNull ? c.nullEstimate : c.threshold
            var upperEnd = 1.0
            if !c.statistic.isFraction {
                upperEnd = max([tick ?? 0, c.estimate ?? 0, c.bounds?.upper ?? 0].filter(\.isFinite).max() ?? 1, 1) * 1.1
            }
            func x(_ v: Double) -> Double { left + min(max(v / upperEnd, 0), 1) * (right - left) }
            svg += NullFigure.text(8, yy + 4, NullFigure.shortened("\(c.claim) (w = \(c.width))", to: 40), size: 10,
                                   attributes: "fill=\"\(color(c.verdict))\"")
            svg += NullFigure.text(right + 10, yy + 4, c.verdict.rawValue, size: 10, attributes: "fill=\"\(color(c.verdict))\"")
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(yy))\" x2=\"\(f(right))\" y2=\"\(f(yy))\" stroke=\"#d0d7de\"/>\n"
            if let b = c.bounds {
                svg += "<line x1=\"\(f(x(b.lower)))\" y1=\"\(f(yy))\" x2=\"\(f(x(b.upper)))\" y2=\"\(f(yy))\" stroke=\"\(color(c.verdict))\" stroke-width=\"6\" stroke-opacity=\"0.45\"/>\n"
            }
            if let e = c.estimate {
                svg += "<circle cx=\"\(f(x(e)))\" cy=\"\(f(yy))\" r=\"3.5\" fill=\"\(color(c.verdict))\"/>\n"
            }
            if let tick {
                svg += "<line x1=\"\(f(x(tick)))\" y1=\"\(f(yy - 8))\" x2=\"\(f(x(tick)))\" y2=\"\(f(yy + 8))\" stroke=\"#24292f\" stroke-width=\"2\"/>\n"
            }
        }
        let axis = top + rowHeight * Double(max(r.claims.count, 1)) + 14
        svg += NullFigure.text(left, axis, "0", size: 9, attributes: "text-anchor=\"middle\" fill=\"#424a53\"")
        svg += NullFigure.text(right, axis, "1 (fractions; counts scaled to their row)", size: 9, attributes: "text-anchor=\"end\" fill=\"#424a53\"")
        return svg + SVGCanvas.close
    }
}
