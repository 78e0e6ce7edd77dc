import SimKernel

/// The figures a run is judged by, for sweeps and for `check`. Lower is better for every one.
public enum Metric: String, Sendable, Codable, CaseIterable {
    case totalDowntime, maxDowntime, vmsWithDowntime, blockedDrains, peakPendingMigrations, maintenanceSpan
    case failedMigrations, pendingMigrationsAtEnd, safetyFindings
    /// VMs not serving at the end of the run, and VMs with a real outage (not only migration pauses).
    case vmsDownAtEnd, vmsWithOutage

    /// Its key in report.json's totals.
    public var totalsKey: String {
        switch self {
        case .totalDowntime: return "totalDowntimeMs"
        case .maxDowntime: return "maxDowntimeMs"
        case .vmsWithDowntime: return "vmsWithDowntime"
        case .blockedDrains: return "drainsBlocked"
        case .peakPendingMigrations: return "peakPendingMigrations"
        case .maintenanceSpan: return "maintenanceSpanMs"
        case .failedMigrations: return "migrationsFailed"
        case .pendingMigrationsAtEnd: return "pendingMigrationsAtEnd"
        case .safetyFindings: return "safetyFindings"
        case .vmsDownAtEnd: return "vmsDownAtEnd"
        case .vmsWithOutage: return "vmsWithOutage"
        }
    }

    /// Durations in milliseconds; the rest are counts.
    public var isDuration: Bool { self == .totalDowntime || self == .maxDowntime || self == .maintenanceSpan }

    /// The metrics a sweep tabulates (the list).
    public static let sweep: [Metric] = [
        .vmsDownAtEnd, .vmsWithOutage, .totalDowntime, .maxDowntime, .vmsWithDowntime, .blockedDrains, .peakPendingMigrations,
        .maintenanceSpan, .failedMigrations,
    ]
}

/// One run's metrics. A maintenance that never finished has no span (nil): worse than any span.
public struct RunMetrics: Equatable, Sendable, Codable {
    public var values: [Metric: Int64?]

    public init(values: [Metric: Int64?]) { self.values = values }

    public init(_ r: RunRecord) {
        let span = r.maintenanceSpan.map { ($0.to - $0.from).milliseconds }
        values = [
            .totalDowntime: r.totalDowntime.milliseconds,
            .maxDowntime: r.maxDowntime?.downtime.milliseconds ?? 0,
            .vmsWithDowntime: Int64(r.vmsWithDowntime),
            .blockedDrains: Int64(r.blockedDrains.count),
            .peakPendingMigrations: Int64(r.peakPendingMigrations),
            // No maintenance at all: a span of zero; one that never finished: nil.
            .maintenanceSpan: r.state.drains.isEmpty ? 0 : span,
            .failedMigrations: Int64(r.migrationsFailed),
            .pendingMigrationsAtEnd: Int64(r.waitingMigrations.count),
            .safetyFindings: Int64(r.findings.count),
            .vmsDownAtEnd: Int64(r.vmsDownAtEnd.count),
            .vmsWithOutage: Int64(r.outageSummary.vms),
        ]
    }

    public subscript(_ m: Metric) -> Int64? { values[m] ?? nil }
}
