import ClusterModel
import SimKernel

/// NodeHealthCheck with Self Node Remediation or Fence Agents Remediation (reference §7.4–7.6, R7).
public enum RemediationController {
    /// Why NodeHealthCheck will not remediate this node now, or nil when it will.
    public static func skipReason(_ node: NodeID, in state: ClusterState) -> String? {
        let config = state.config.remediation
        if config.kind == .none { return "no remediation configured" }
        let watched = state.nodes.indices.filter { state.nodes[$0].role == .worker }
        let healthy = watched.filter { state.health[$0].ready == .True }.count
        if config.kind == .MachineHealthCheck {
            // Machine API knows nothing of NMO's label; its own guard is maxUnhealthy (default 100 %).
            let max = config.maxUnhealthy ?? .percent(100)
            if watched.count - healthy > max.scaled(watched.count) {
                return "storm: \(watched.count - healthy) of \(watched.count) machines unhealthy, maxUnhealthy \(max.description)"
            }
            return nil
        }
        // NMO labels a node under maintenance exclude-from-remediation and holds its lease.
        if let d = state.activeDrain[node.i], state.drains[d.i].isNodeMaintenance {
            return "excluded: the node is under NodeMaintenance (remediation.medik8s.io/exclude-from-remediation)"
        }
        // Storm guard over the nodes NHC watches (the workers): healthy = Ready True.
        if let min = config.minHealthy, healthy < min.scaled(watched.count) {
            return "storm: \(healthy) of \(watched.count) workers healthy, minHealthy \(min.description) needs \(min.scaled(watched.count))"
        }
        if let max = config.maxUnhealthy, watched.count - healthy > max.scaled(watched.count) {
            return
                "storm: \(watched.count - healthy) of \(watched.count) workers unhealthy, maxUnhealthy \(max.description) allows \(max.scaled(watched.count))"
        }
        return nil
    }

    /// The time SNR waits before assuming an unhealthy node has rebooted itself:
    /// max(configured, (apiCheckInterval 15 s + apiServerTimeout 5 s) × maxApiErrorThreshold 3
    /// + max(30 s, batches × (peerDialTimeout 5 s + peerRequestTimeout 7 s)) + watchdog timeout + 30 s),
    /// where peers are asked 3 first, then max(3, (workers − 3) / 10) at a time (SNR `calculator.go`).
    public static func selfNodeRemediationSafeTime(workers: Int, _ c: RemediationConfig) -> SimDuration {
        let peerSeconds = max(30, Int64(peerBatches(workers: workers)) * (5 + 7))
        let minimum = SimDuration.seconds((15 + 5) * 3 + peerSeconds + 30) + c.watchdogTimeout
        return max(c.safeTime ?? .zero, minimum)
    }

    /// Peers are asked 3 first, then max(3, (workers − 3) / 10) at a time (SNR `internal/utils/peers.go`).
    static func peerBatches(workers: Int) -> Int {
        let peers = max(0, workers - 1)
        let batchSize = max(3, (workers - 3) / 10)
        return peers <= 3 ? 1 : 1 + (peers - 3 + batchSize - 1) / batchSize
    }

    /// An isolated node's SNR agent reboots it after 3 failed API checks ((15 s + 5 s) × 3) and one
    /// round of asking every peer batch (5 s dial + 7 s request each, all unanswered); the 30 s
    /// "no peers" grace counts from the last peer answer, long before (`internal/apicheck/check.go`).
    public static func selfNodeRemediationIsolatedReboot(workers: Int) -> SimDuration {
        .seconds((15 + 5) * 3 + Int64(peerBatches(workers: workers)) * (5 + 7))
    }

    /// When a fence-agent call ends, and whether it fenced the node.
    public static func fenceAttemptEnd(startedAt t: SimTime, _ c: RemediationConfig) -> (at: SimTime, fenced: Bool) {
        c.fenceSucceeds ? (t + min(c.fenceDuration, c.fenceTimeout), true) : (t + c.fenceTimeout, false)
    }
}
