import SimKernel

/// The disruption controller's status of a budget (`pkg/controller/disruption/disruption.go`).
public struct BudgetStatus: Equatable, Sendable {
    public var expectedPods = 0, desiredHealthy = 0, currentHealthy = 0
    /// Why nothing may be disrupted whatever the counts (no controller with a scale).
    public var failSafe: String?
    public var disruptionsAllowed: Int {
        failSafe != nil || expectedPods <= 0 ? 0 : max(0, currentHealthy - desiredHealthy)
    }
}

/// Budget status, computed from the pods at the moment of asking.
extension ClusterState {
    /// Healthy for a budget: bound, not being deleted, Ready, and Ready for its recoveryTime (a pod
    /// Ready since before the run has recovered).
    public func healthy(_ p: PodID, for budget: PodDisruptionBudget, now: SimTime) -> Bool {
        let pod = pods[p.i]
        guard pod.ready, !pod.terminating, !pod.gone else { return false }
        return pod.readySince.map { now >= $0 + budget.recoveryTime } ?? true
    }

    /// The disruption controller's `getExpectedPodCount` and `countHealthyPods`: an integer
    /// minAvailable counts the selected pods; maxUnavailable and percentages scale the owners'
    /// replicas (rounded up), and DaemonSets have no scale, so such a budget allows nothing.
    public func budgetStatus(_ b: Int, now: SimTime) -> BudgetStatus {
        let budget = budgets[b]
        var s = BudgetStatus()
        var selectedPods = 0, replicas = 0
        var daemonSet: String?
        for w in workloadsOfBudget[b] {
            replicas += workloads[w].replicas
            if workloads[w].kind == .DaemonSet { daemonSet = daemonSet ?? workloads[w].name }
        }
        for p in pods.indices where !pods[p].gone && budgetsOfWorkload[pods[p].workload.i].contains(b) {
            selectedPods += 1
            if healthy(PodID(p), for: budget, now: now) { s.currentHealthy += 1 }
        }
        if case .count(let n)? = budget.minAvailable {
            (s.expectedPods, s.desiredHealthy) = (selectedPods, n)
            return s
        }
        s.expectedPods = replicas
        if let daemonSet { s.failSafe = "DaemonSet \(daemonSet) has no scale to count its pods against" }
        if let min = budget.minAvailable {
            s.desiredHealthy = min.scaled(replicas)
        } else {
            s.desiredHealthy = max(0, replicas - (budget.maxUnavailable?.scaled(replicas) ?? 0))
        }
        return s
    }
}
