import ClusterModel
import SimKernel

/// The API server's answer to an eviction of a workload pod.
public enum PodEvictionAnswer: Equatable, Sendable {
    case allowed
    /// 429 (or 500 for a pod under two budgets): kubectl and NMO retry it at their 5 s cadence.
    case denied(String)
}

/// The Eviction API (`pkg/registry/core/pod/storage/eviction.go`), reading the disruption
/// controller's budget status (ClusterState+Budgets.swift) at the moment of asking.
public enum EvictionAPI {
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
        let s = state.budgetStatus(b, now: now)
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
        where !pod.gone && state.budgetsOfWorkload[pod.workload.i].contains(b) && !state.healthy(PodID(p), for: budget, now: now) {
            let where_ = pod.node.map { " on \(state.nodes[$0.i].name)" } ?? ""
            let what: String
            if pod.terminating {
                what = "Terminating"
            } else if pod.node == nil {
                what = "Pending"
            } else if !pod.ready {
                what = "not Ready"
            } else {
                what = "recovering until \(((pod.readySince ?? now) + budget.recoveryTime).elapsed)"
            }
            waiting.append("\(pod.name)\(where_) \(what)")
        }
        if waiting.isEmpty { return text }
        let shown = waiting.prefix(3).joined(separator: ", ")
        return text + "; waiting for " + shown + (waiting.count > 3 ? " and \(waiting.count - 3) more" : "")
    }
}
