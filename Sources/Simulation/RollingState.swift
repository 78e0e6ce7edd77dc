import ClusterModel
import Scenarios
import SimKernel

/// Progress of one rolling maintenance.
struct RollingState {
    var spec: RollingMaintenance
    var next = 0
    var inProgress = 0
    var done = 0
    var startedAt: SimTime
    var finishedAt: SimTime?
    var drains: [DrainID] = []

    var record: RollingMaintenanceRecord {
        RollingMaintenanceRecord(
            nodes: spec.nodes, maxUnavailable: spec.maxUnavailable, startedAt: startedAt, finishedAt: finishedAt, started: next, done: done,
            drains: drains)
    }
}
