import Foundation
import SalmonAudit
import SalmonStatistics

/// A sanity-check curve in the manner of Adebayo et al.'s Figure 2: the similarity between the
/// trained model's maps and the randomized models' maps at each randomization stage, one line per
/// method (the mean of the stage's null draws) with the 2.5–97.5 % band of the draws, as a
/// self-contained 720 × 380 SVG. `original` is the trained map against itself (1 by definition).
///
/// The stages are plotted at equal steps from left to right and joined; the seed-to-seed reference
/// (the audit's estimate) is drawn apart on the right as a point with its interval per method,
/// so that each curve can be read against "what another equally good model gives". Output is
/// deterministic (two fixed decimals for coordinates).
public enum StageCurveFigure {
    static let width = 720.0
    static let height = 380.0
    static let plotLeft = 56.0
    static let plotRight = 520.0
    static let plotTop = 52.0
    static let plotBottom = 318.0

    /// One colour per method (Okabe & Ito's colour-blind-safe palette), in method order.
    static let palette = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#999999"]

    /// Renders the curve of `measure` over `stages` for every method of `result`.
    /// - Returns: an SVG document ending in a newline.
    public static func svg(_ result: SanityCheckResult, measure: AttributionSimilarity, stages: [RandomizationStage],
                           title: String, axisLabel: String) -> String {
        let methods = result.configuration.methods
        let layers = result.layers
        let withReference = methods.contains { result.reference(method: $0, measure: measure.name) != nil }
        let slots = Double(stages.count - 1) + (withReference ? 1.2 : 0)
        func x(_ position: Double) -> Double { plotLeft + 20 + position / max(slots, 1) * (plotRight - plotLeft - 40) }
        /// A stage's point: the mean of its null draws and their 2.5–97.5 % range; `original` is 1.
        func point(_ stage: RandomizationStage, _ method: String) -> (center: Double, lower: Double, upper: Double)? {
            if stage == .original { return (1, .nan, .nan) }
            return result.test(stage, method: method, measure: measure.name).map { ($0.null.mean, $0.null.lower, $0.null.upper) }
        }

        // The y range: [min(0, lowest band end or reference interval end), 1], in steps of 0.1.
        var lowest = 0.0
        for method in methods {
            for stage in stages {
                if let p = point(stage, method) { for v in [p.center, p.lower] where v.isFinite { lowest = min(lowest, v) } }
            }
            if let r = result.reference(method: method, measure: measure.name) {
                for v in [r.estimate, r.interval?.lower ?? .nan] where v.isFinite { lowest = min(lowest, v) }
            }
        }
        let yMin = (lowest * 10).rounded(.down) / 10, yMax = 1.0
        func y(_ value: Double) -> Double { plotBottom - (value - yMin) / (yMax - yMin) * (plotBottom - plotTop) }

        let subtitle = "lines: mean over \(result.configuration.nullSeeds) null draws (\(result.evaluationExamples) held-out digits each); "
            + "bands: 2.5–97.5 % of the draws; squares: the reference, \(ReportNumberFormat.percent(result.configuration.level)) interval"
        var svg = SVGCanvas.header(width: width, height: height, title: title + ": " + measure.label + "; " + subtitle)
        svg += text(8, 18, title + ": " + measure.label, size: 13, attributes: "font-weight=\"bold\" fill=\"#24292f\"")
        svg += text(8, 35, subtitle, size: 10, attributes: "fill=\"#424a53\"")

        // Grid and axes: lines at multiples of 0.1, labels at multiples of 0.2 when the range is wide.
        let labelEvery = yMax - yMin > 1.05 ? 2 : 1
        let firstTick = Int((yMin * 10).rounded(.up)), lastTick = Int((yMax * 10).rounded(.down))
        svg += "<g stroke=\"#d0d7de\" stroke-width=\"0.5\">\n"
        for k in firstTick...lastTick {
            svg += "<line x1=\"\(f(plotLeft))\" y1=\"\(f(y(Double(k) / 10)))\" x2=\"\(f(plotRight))\" y2=\"\(f(y(Double(k) / 10)))\"/>\n"
        }
        svg += "</g>\n"
        for k in firstTick...lastTick where k % labelEvery == 0 {
            svg += text(plotLeft - 6, y(Double(k) / 10) + 3, ReportNumberFormat.fixed(Double(k) / 10, decimals: 1), size: 9,
                        attributes: "text-anchor=\"end\" fill=\"#424a53\"")
        }
        svg += "<g stroke=\"#424a53\" stroke-width=\"1\">\n"
        svg += "<line x1=\"\(f(plotLeft))\" y1=\"\(f(plotBottom))\" x2=\"\(f(plotRight))\" y2=\"\(f(plotBottom))\"/>\n"
        svg += "<line x1=\"\(f(plotLeft))\" y1=\"\(f(plotTop))\" x2=\"\(f(plotLeft))\" y2=\"\(f(plotBottom))\"/>\n"
        if yMin < 0 {
            svg += "<line x1=\"\(f(plotLeft))\" y1=\"\(f(y(0)))\" x2=\"\(f(plotRight))\" y2=\"\(f(y(0)))\" stroke-dasharray=\"2 2\"/>\n"
        }
        svg += "</g>\n"
        if case .topK(let k) = measure, let d = result.configuration.sizes.first, d > 0 {
            // Two unrelated maps share k/d of their top k on average.
            let chance = Double(k) / Double(d)
            svg += "<line x1=\"\(f(plotLeft))\" y1=\"\(f(y(chance)))\" x2=\"\(f(plotRight))\" y2=\"\(f(y(chance)))\" "
            svg += "stroke=\"#8c959f\" stroke-width=\"1\" stroke-dasharray=\"6 3\"/>\n"
            svg += text(plotRight - 4, y(chance) - 4, "chance k/d = \(ReportNumberFormat.fixed(chance))", size: 9,
                        attributes: "text-anchor=\"end\" fill=\"#6e7781\"")
        }
        for (i, stage) in stages.enumerated() {
            svg += text(x(Double(i)), plotBottom + 15, stage.label(layers: layers, convolutions: result.configuration.convolutionChannels.count), size: 10,
                        attributes: "text-anchor=\"middle\" fill=\"#424a53\"")
        }
        if withReference {
            let position = x(slots)
            svg += "<line x1=\"\(f((x(Double(stages.count - 1)) + position) / 2))\" y1=\"\(f(plotTop))\" "
            svg += "x2=\"\(f((x(Double(stages.count - 1)) + position) / 2))\" y2=\"\(f(plotBottom))\" stroke=\"#8c959f\" stroke-dasharray=\"3 3\"/>\n"
            svg += text(position, plotBottom + 15, "another", size: 10, attributes: "text-anchor=\"middle\" fill=\"#424a53\"")
            svg += text(position, plotBottom + 27, "trained seed", size: 10, attributes: "text-anchor=\"middle\" fill=\"#424a53\"")
        }
        svg += text((plotLeft + plotRight) / 2, height - 14, axisLabel, size: 10,
                    attributes: "text-anchor=\"middle\" fill=\"#424a53\"")
        svg += text(14, (plotTop + plotBottom) / 2, "similarity to the trained model's map", size: 10,
                    attributes: "text-anchor=\"middle\" fill=\"#424a53\" transform=\"rotate(-90 14 \(f((plotTop + plotBottom) / 2)))\"")

        // Bands first, then lines, so that no band hides a line.
        var lines = ""
        for (m, method) in methods.enumerated() {
            let color = palette[m % palette.count]
            let points = stages.enumerated().compactMap { i, stage in point(stage, method).map { (Double(i), $0) } }
            let banded = points.filter { $0.1.lower.isFinite && $0.1.upper.isFinite }
            if banded.count >= 2 {
                let upper = banded.map { "\(f(x($0.0))),\(f(y($0.1.upper)))" }
                let lower = banded.reversed().map { "\(f(x($0.0))),\(f(y($0.1.lower)))" }
                svg += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
            }
            let drawn = points.filter { $0.1.center.isFinite }
            if drawn.count >= 2 {
                lines += "<polyline points=\"\(drawn.map { "\(f(x($0.0))),\(f(y($0.1.center)))" }.joined(separator: " "))\" "
                lines += "fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\"/>\n"
            }
            for (position, p) in drawn {
                lines += "<circle cx=\"\(f(x(position)))\" cy=\"\(f(y(p.center)))\" r=\"2.5\" fill=\"\(color)\"/>\n"
            }
            if withReference, let reference = result.reference(method: method, measure: measure.name), reference.estimate.isFinite {
                // Spread the methods' reference points a little so that their bars do not overlap.
                let position = x(slots) + (Double(m) - Double(methods.count - 1) / 2) * 5
                if let interval = reference.interval, interval.isDetermined {
                    lines += "<line x1=\"\(f(position))\" y1=\"\(f(y(interval.lower)))\" x2=\"\(f(position))\" "
                    lines += "y2=\"\(f(y(interval.upper)))\" stroke=\"\(color)\" stroke-width=\"1.5\"/>\n"
                }
                lines += "<rect x=\"\(f(position - 2.5))\" y=\"\(f(y(reference.estimate) - 2.5))\" width=\"5.00\" height=\"5.00\" fill=\"\(color)\"/>\n"
            }
        }
        svg += lines

        // Legend.
        for (m, method) in methods.enumerated() {
            let top = plotTop + 8 + Double(m) * 18
            let color = palette[m % palette.count]
            svg += "<line x1=\"\(f(plotRight + 24))\" y1=\"\(f(top))\" x2=\"\(f(plotRight + 48))\" y2=\"\(f(top))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            svg += text(plotRight + 54, top + 4, displayName(method), size: 11, attributes: "fill=\"#24292f\"")
        }
        svg += SVGCanvas.close
        return svg
    }

    /// A method's name as the paper writes it.
    public static func displayName(_ method: String) -> String {
        switch method {
        case "gradient": return "Gradient"
        case "absolute-gradient": return "|Gradient|"
        case "gradient-times-input": return "Gradient ⊙ Input"
        case "integrated-gradients": return "Integrated Gradients"
        case "smoothgrad": return "SmoothGrad"
        case "guided-backprop": return "Guided BackProp"
        case "occlusion": return "Occlusion"
        default: return method
        }
    }

    static func text(_ x: Double, _ y: Double, _ content: String, size: Int, attributes: String) -> String {
        SVGCanvas.text(x, y, content, size: size, attributes: attributes)
    }

    static func f(_ value: Double) -> String { SVGCanvas.f(value) }
}
