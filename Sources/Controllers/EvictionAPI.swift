import ClusterModel
import SimKernel

/// The API server's answer to an eviction of a workload pod.
public enum PodEvictionAnswer: Equatable, Sendable {
    case allowed
    /// 429 (or 500 for a pod under two budgets): kubectl and NMO retry it at their 5 s cadence.
    case denied(String)
}

/// The Eviction API (`pkg/registry/core/pod/storage/eviction.go`) with the disruption controller's
/// budget status (`pkg/controller/disruption/disruption.go`), computed at the moment of asking.
public enum EvictionAPI {
    /// A budget's status: the pods it expects, how many must stay healthy, how many are.
    public struct BudgetStatus: Equatable, Sendable {
        public var expectedPods = 0, desiredHealthy = 0, currentHealthy = 0
        /// Why nothing may be disrupted whatever the counts (no controller with a scale).
        public var failSafe: String?
        public var disruptionsAllowed: Int {
            failSafe != nil || expectedPods <= 0 ? 0 : max(0, currentHealthy - desiredHealthy)
        }
    }

    /// Healthy for a budget: bound, not being deleted, Ready, and Ready for its recoveryTime (a pod
    /// Ready since before the run has recovered).
    public static func healthy(_ p: PodID, for budget: PodDisruptionBudget, in state: borrowing ClusterState, now: SimTime) -> Bool {
        let pod = state.pods[p.i]
        guard pod.ready, !pod.terminating, !pod.gone else { return false }
        return pod.readySince.map { now >= $0 + budget.recoveryTime } ?? true
    }

    /// The disruption controller's `getExpectedPodCount` and `countHealthyPods`: an integer
    /// minAvailable counts the selected pods; maxUnavailable and percentages scale the owners'
    /// replicas (rounded up), and DaemonSets have no scale, so such a budget allows nothing.
    public static func status(of b: Int, in state: borrowing ClusterState, now: SimTime) -> BudgetStatus {
        let budget = state.budgets[b]
        var s = BudgetStatus()
        var selectedPods = 0, replicas = 0
        var daemonSet: String?
        for (w, workload) in state.workloads.enumerated() where state.budgetsOfWorkload[w].contains(b) {
            replicas += workload.replicas
            if workload.kind == .DaemonSet { daemonSet = daemonSet ?? workload.name }
        }
        for p in state.pods.indices where !state.pods[p].gone && state.budgetsOfWorkload[state.pods[p].workload.i].contains(b) {
            selectedPods += 1
            if healthy(PodID(p), for: budget, in: state, now: now) { s.currentHealthy += 1 }
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

    /// Evicting one workload pod. A pod already being deleted, or Pending, skips budgets
    /// (`canIgnorePDB`); a pod that is not Ready may go while its budget is met
    /// (unhealthyPodEvictionPolicy IfHealthyBudget, the default); otherwise one disruption must be allowed.
    public static func evict(_ p: PodID, in state: borrowing ClusterState, now: SimTime) -> PodEvictionAnswer {
        let pod = state.pods[p.i]
        if pod.terminating || pod.node == nil { return .allowed }
        let budgets = state.budgetsOfWorkload[pod.workload.i]
        guard let b = budgets.first else { return .allowed }
        if budgets.count > 1 {
            return .denied(
                "this pod has more than one PodDisruptionBudget (" + budgets.map { state.budgets[$0].name }.joined(separator: ", ")
                    + "), which the eviction subresource does not support (500)")
        }
        let s = status(of: b, in: state, now: now)
        if !pod.ready && s.failSafe == nil && s.currentHealthy >= s.desiredHealthy && s.desiredHealthy > 0 { return .allowed }
        if s.disruptionsAllowed > 0 { return .allowed }
        return .denied(refusal(b, s, in: state, now: now))
    }

    /// "Cannot evict pod as it would violate the pod's disruption budget", with the budget's counts
    /// and the pods it is waiting for.
    public static func refusal(_ b: Int, _ s: BudgetStatus, in state: borrowing ClusterState, now: SimTime) -> String {
        let budget = state.budgets[b]
        var text = "PodDisruptionBudget \(budget.name) (\(budget.describeSpec)) "
        if let why = s.failSafe { return text + "allows no disruption: \(why)" }
        text += "needs \(s.desiredHealthy) healthy pod(s) and has \(s.currentHealthy)"
        var waiting: [String] = []
        for (p, pod) in state.pods.enumerated()
        where !pod.gone && state.budgetsOfWorkload[pod.workload.i].contains(b) && !healthy(PodID(p), for: budget, in: state, now: now) {
            let where_ = pod.node.map { " on \(state.nodes[$0.i].name)" } ?? ""
            let what: String
            if pod.terminating {
                what = "Terminating"
            } else if pod.node == nil {
                what = "Pending"
            } else if !pod.ready {
                what = "not Ready"
            } else {
                what = "recovering until \((pod.readySince ?? now) + budget.recoveryTime)"
            }
            waiting.append("\(pod.name)\(where_) \(what)")
        }
        if waiting.isEmpty { return text }
        let shown = waiting.prefix(3).joined(separator: ", ")
        return text + "; waiting for " + shown + (waiting.count > 3 ? " and \(waiting.count - 3) more" : "")
    }
}
