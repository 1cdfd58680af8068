import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Named points where a test can kill the process, to check what a crash at that instant leaves
/// behind (failpoints, as in FreeBSD's `fail(9)`): when the environment variable
/// `SALMON_KILL_AT` names a point, the process sends itself SIGKILL on reaching it. Unset (always,
/// outside tests), reaching a point costs one comparison.
///
/// The points of a report switch (``ReportDirectory``): `report-staged`, `report-committed`,
/// `report-entry-removed`, `report-half-switched`, `report-before-entry`, `report-switched`.
public enum Failpoint {
    /// The point this process dies at, read once.
    static let armed: String? = ProcessInfo.processInfo.environment["SALMON_KILL_AT"]

    /// Dies here when this point is the armed one.
    public static func reach(_ name: String) {
        if let armed, armed == name { kill(getpid(), SIGKILL) }
    }
}
