import Foundation
import SalmonNetworks

/// What an audit will cost, from a short timing: one null model of each family evaluated on the
/// built subject (OpenBLAS single-threaded, as the runner evaluates it), times the family's K;
/// plus the trained models' evaluation. CPU seconds, to be divided by `--jobs` for the wall time
/// of a run on that many cores. A sequential family is costed at its maximum (an upper bound).
public struct AuditCostEstimate: Sendable, Equatable {
    /// One family: the seconds one of its null models took, and its K.
    public struct Family: Sendable, Equatable {
        public var family: String
        public var K: Int
        public var secondsPerModel: Double
        public var sequential: Bool
        public var seconds: Double { secondsPerModel * Double(K) }
    }

    public var families: [Family]
    /// The trained models' evaluation (building the subject — training — is not included).
    public var trainedSeconds: Double
    public var seconds: Double { trainedSeconds + families.reduce(0) { $0 + $1.seconds } }

    /// Times trained model 0 and null model 0 of each family.
    /// - Throws: what evaluating those units throws (bad input met by the first unit).
    public static func measure(spec: AuditSpec, subject: any AuditSubject) throws -> AuditCostEstimate {
        let evaluator = try UnitEvaluator(spec: spec, subject: subject, specHash: spec.hash)
        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }
        func time(_ unit: AuditUnit) throws -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try evaluator.evaluate(unit)
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let trained = try time(.trained(seed: 0)) * Double(AuditPlan.trainedSeeds(spec))
        let families = try spec.nulls.map { null in
            Family(family: null.family, K: null.K, secondsPerModel: try time(.null(family: null.family, index: 0)), sequential: null.sequential != nil)
        }
        return AuditCostEstimate(families: families, trainedSeconds: trained)
    }
}
