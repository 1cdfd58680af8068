import Foundation
import SalmonAudit
import SalmonStatistics

/// The figure of one test: a histogram of its null distribution, the null median as a dashed
/// line, the trained estimate as a solid line and its interval as a shaded band, with a legend,
/// as a self-contained 480 × 200 SVG.
///
/// The axis spans the null draws, the estimate and its interval; the histogram's bins span the
/// null draws alone (about √K of them, 5 to 25), so a narrow null far from the estimate keeps its
/// shape instead of collapsing into one bar. The output is deterministic: the same test gives
/// byte-identical text (coordinates are printed with two fixed decimals, tick labels by
/// ``ReportNumberFormat``). Non-finite null draws are left out of the histogram and counted in a
/// note; a null whose draws are all equal is one narrow bar at its value.
public enum NullFigure {
    static let width = 480.0
    static let height = 200.0
    static let plotLeft = 44.0
    static let plotRight = 468.0
    static let plotTop = 52.0
    static let plotBottom = 160.0
    /// Histogram bins over the plotted range. Odd, so that a single value in the middle of a
    /// symmetric range lands in the middle of a bin rather than on an edge.
    static let bins = 25

    /// Renders the figure of `test`.
    /// - Returns: an SVG document (no XML declaration) ending in a newline.
    /// - Complexity: O(K) in the number of null draws.
    public static func svg(for test: TestResult) -> String {
        let draws = test.null.values.filter(\.isFinite)
        let omitted = test.null.values.count - draws.count
        let estimate = test.estimate.isFinite ? test.estimate : nil
        let band = test.interval.flatMap { $0.lower.isFinite && $0.upper.isFinite ? $0 : nil }
        let range = plottedRange(draws: draws, estimate: estimate, interval: band)
        let x = { (value: Double) in plotLeft + (value - range.lower) / (range.upper - range.lower) * (plotRight - plotLeft) }

        let color = verdictColor(test.verdict)
        let title = "\(test.claim) at \(test.site) vs \(test.family): \(ReportNumberFormat.verdictText(test.verdict))"
        var subtitle = "trained \(ReportNumberFormat.estimate(test.estimate, interval: test.interval))"
        subtitle += " · null median \(ReportNumberFormat.fixed(test.null.median)) (K = \(test.null.values.count))"
        subtitle += " · p_adj \(ReportNumberFormat.pValue(test.adjustedPValue))"

        var svg = SVGCanvas.header(width: width, height: height, title: title + "; " + subtitle)
        svg += text(8, 15, shortened(title, to: 76), size: 12, attributes: "font-weight=\"bold\" fill=\"\(color)\"")
        svg += text(8, 30, shortened(subtitle, to: 96), size: 10, attributes: "fill=\"#424a53\"")

        // The interval band goes under the bars, the estimate line over them.
        if let band {
            let left = x(band.lower), right = x(band.upper)
            svg += "<rect x=\"\(f(left))\" y=\"\(f(plotTop))\" width=\"\(f(max(right - left, 0)))\" "
            svg += "height=\"\(f(plotBottom - plotTop))\" fill=\"#cf222e\" fill-opacity=\"0.15\"/>\n"
        }

        let bars = nullBars(draws)
        let tallest = bars.map(\.count).max() ?? 0
        if tallest > 0 {
            svg += "<g fill=\"#8c959f\" stroke=\"#ffffff\" stroke-width=\"0.5\">\n"
            for bar in bars where bar.count > 0 {
                let h = Double(bar.count) / Double(tallest) * (plotBottom - plotTop)
                // At least 2 px wide, centred on the bin, so a very narrow null stays visible.
                let left = x(bar.lower), right = x(bar.upper)
                let width = max(right - left, 2), start = (left + right) / 2 - width / 2
                svg += "<rect x=\"\(f(start))\" y=\"\(f(plotBottom - h))\" "
                svg += "width=\"\(f(width))\" height=\"\(f(h))\"/>\n"
            }
            svg += "</g>\n"
            if test.null.median.isFinite {
                let m = x(test.null.median)
                svg += "<line x1=\"\(f(m))\" y1=\"\(f(plotTop))\" x2=\"\(f(m))\" y2=\"\(f(plotBottom))\" "
                svg += "stroke=\"#24292f\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>\n"
            }
        } else {
            svg += text((plotLeft + plotRight) / 2, (plotTop + plotBottom) / 2, "no finite null draws", size: 11,
                        attributes: "text-anchor=\"middle\" fill=\"#6e7781\"")
        }
        if omitted > 0 {
            svg += text(plotRight, plotTop + 10, "\(omitted) non-finite draw\(omitted == 1 ? "" : "s") omitted", size: 9,
                        attributes: "text-anchor=\"end\" fill=\"#6e7781\"")
        }

        if let estimate {
            let position = x(estimate)
            svg += "<line x1=\"\(f(position))\" y1=\"\(f(plotTop - 4))\" x2=\"\(f(position))\" y2=\"\(f(plotBottom))\" "
            svg += "stroke=\"#cf222e\" stroke-width=\"2\"/>\n"
        }
        svg += legend()

        // Axes: x with "nice" ticks, y with the count scale.
        svg += "<g stroke=\"#424a53\" stroke-width=\"1\">\n"
        svg += "<line x1=\"\(f(plotLeft))\" y1=\"\(f(plotBottom))\" x2=\"\(f(plotRight))\" y2=\"\(f(plotBottom))\"/>\n"
        svg += "<line x1=\"\(f(plotLeft))\" y1=\"\(f(plotTop))\" x2=\"\(f(plotLeft))\" y2=\"\(f(plotBottom))\"/>\n"
        let ticks = xTicks(range)
        for tick in ticks {
            svg += "<line x1=\"\(f(x(tick.value)))\" y1=\"\(f(plotBottom))\" x2=\"\(f(x(tick.value)))\" y2=\"\(f(plotBottom + 4))\"/>\n"
        }
        svg += "<line x1=\"\(f(plotLeft - 4))\" y1=\"\(f(plotTop))\" x2=\"\(f(plotLeft))\" y2=\"\(f(plotTop))\"/>\n"
        svg += "</g>\n"
        for tick in ticks {
            svg += text(x(tick.value), plotBottom + 14, tick.label, size: 9, attributes: "text-anchor=\"middle\" fill=\"#424a53\"")
        }
        svg += text(plotLeft - 6, plotTop + 3, "\(tallest)", size: 9, attributes: "text-anchor=\"end\" fill=\"#424a53\"")
        svg += text(plotLeft - 6, plotBottom + 3, "0", size: 9, attributes: "text-anchor=\"end\" fill=\"#424a53\"")
        svg += text(12, (plotTop + plotBottom) / 2, "null draws", size: 9,
                    attributes: "text-anchor=\"middle\" fill=\"#424a53\" transform=\"rotate(-90 12 \(f((plotTop + plotBottom) / 2)))\"")
        svg += text((plotLeft + plotRight) / 2, height - 8, "\(test.statistic) (\(test.direction))", size: 10,
                    attributes: "text-anchor=\"middle\" fill=\"#424a53\"")
        svg += SVGCanvas.close
        return svg
    }

    // MARK: - Geometry

    /// The plotted interval: the null draws, the estimate and its interval, padded by 5 % on each
    /// side; a single value (or nothing) gets a range around it instead of a zero width.
    static func plottedRange(draws: [Double], estimate: Double?, interval: ConfidenceInterval?) -> (lower: Double, upper: Double) {
        var values = draws
        if let estimate { values.append(estimate) }
        if let interval { values += [interval.lower, interval.upper] }
        guard var lower = values.min(), var upper = values.max() else { return (0, 1) }
        let span = upper - lower
        if span > 0 && span.isFinite {
            lower -= span * 0.05
            upper += span * 0.05
        } else if span == 0 {
            let pad = lower == 0 ? 0.5 : abs(lower) * 0.1
            lower -= pad
            upper += pad
        } else {
            // The values span more than the largest Double; plot the middle part.
            lower = -Double.greatestFiniteMagnitude / 2
            upper = Double.greatestFiniteMagnitude / 2
        }
        return (lower, upper)
    }

    /// The histogram of the null draws over their own range: about √K equal bins (5 … 25; fewer
    /// when K < 5), the last closed on the right; draws that are all equal make one bin of zero width.
    static func nullBars(_ draws: [Double]) -> [(lower: Double, upper: Double, count: Int)] {
        guard let low = draws.min(), let high = draws.max() else { return [] }
        let span = high - low
        guard span > 0, span.isFinite else { return [(low, low, draws.count)] }
        let count = min(bins, max(min(5, draws.count), Int(Double(draws.count).squareRoot().rounded(.up))))
        let counts = histogram(draws, range: (low, high), bins: count)
        let width = span / Double(count)
        return counts.enumerated().map { i, c in (low + Double(i) * width, low + Double(i + 1) * width, c) }
    }

    /// The legend, right-aligned between the subtitle and the plot: trained estimate, null median, null draws.
    static func legend() -> String {
        let y = plotTop - 10, top = y - 4
        var svg = "<g font-size=\"9\" fill=\"#424a53\">\n"
        svg += "<line x1=\"300\" y1=\"\(f(top))\" x2=\"300\" y2=\"\(f(top + 8))\" stroke=\"#cf222e\" stroke-width=\"2\"/>\n"
        svg += "<text x=\"304\" y=\"\(f(y + 3))\">trained</text>\n"
        svg += "<line x1=\"346\" y1=\"\(f(top))\" x2=\"346\" y2=\"\(f(top + 8))\" stroke=\"#24292f\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>\n"
        svg += "<text x=\"350\" y=\"\(f(y + 3))\">null median</text>\n"
        svg += "<rect x=\"408\" y=\"\(f(top))\" width=\"8\" height=\"8\" fill=\"#8c959f\"/>\n"
        svg += "<text x=\"420\" y=\"\(f(y + 3))\">null draws</text>\n"
        svg += "</g>\n"
        return svg
    }

    /// Counts of `draws` in `bins` equal bins over `range` (the last bin closed on the right).
    static func histogram(_ draws: [Double], range: (lower: Double, upper: Double), bins: Int = bins) -> [Int] {
        var counts = [Int](repeating: 0, count: bins)
        let scale = Double(bins) / (range.upper - range.lower)
        for value in draws {
            let position = ((value - range.lower) * scale).rounded(.down)
            guard position.isFinite else { continue }
            counts[Int(min(max(position, 0), Double(bins - 1)))] += 1
        }
        return counts
    }

    /// About five ticks at multiples of 1, 2 or 5 × 10ⁿ inside `range`, labelled with as many
    /// decimals as the step needs.
    static func xTicks(_ range: (lower: Double, upper: Double)) -> [(value: Double, label: String)] {
        let rawStep = (range.upper - range.lower) / 5
        guard rawStep > 0, rawStep.isFinite else { return [] }
        var exponent = Int(log10(rawStep).rounded(.down))
        let magnitude = pow(10, Double(exponent))
        let residual = rawStep / magnitude
        let nice: Double
        if residual < 1.5 { nice = 1 } else if residual < 3 { nice = 2 } else if residual < 7 { nice = 5 } else { nice = 10; exponent += 1 }
        let step = nice * magnitude
        let first = (range.lower / step).rounded(.up), last = (range.upper / step).rounded(.down)
        guard first.isFinite, last.isFinite, last >= first, last - first <= 20 else { return [] }
        let decimals = max(0, -exponent)
        return stride(from: first, through: last, by: 1).map { k in
            let value = k * step
            return (value, decimals <= 17 ? ReportNumberFormat.fixed(value, decimals: decimals) : String(format: "%.3g", value))
        }
    }

    // MARK: - Text

    static func verdictColor(_ verdict: Verdict) -> String {
        switch verdict {
        case .distinguishable: return "#1a7f37"
        case .deadSalmon: return "#57606a"
        case .inconclusive: return "#9a6700"
        }
    }

    static func text(_ x: Double, _ y: Double, _ content: String, size: Int, attributes: String) -> String {
        SVGCanvas.text(x, y, content, size: size, attributes: attributes)
    }

    static func f(_ value: Double) -> String { SVGCanvas.f(value) }

    static func shortened(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
