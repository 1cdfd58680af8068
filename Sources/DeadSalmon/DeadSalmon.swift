// DeadSalmon: the umbrella module. It only re-exports the public modules, so that
// `import DeadSalmon` gives the whole toolkit.
@_exported import SalmonDiagnostics
@_exported import SalmonIO
@_exported import SalmonNetworks
@_exported import SalmonStatistics
@_exported import SalmonTasks
@_exported import SalmonMethods
@_exported import SalmonAudit
@_exported import SalmonReports
