import ClusterModel
import SimKernel

/// The workload pods and budgets at the end of a run: read from the record, nothing changed.
extension RunRecord {
    /// Per workload: pods created beyond its first replicas (replacements).
    func replacedPods(_ w: Int) -> Int { state.podsCreated[w] - state.workloads[w].replicas }

    /// How long drains waited on each budget, summed over their holds (open holds to the end of the run).
    func budgetHeld(_ b: Int) -> (holds: Int, total: SimDuration) {
        var holds = 0
        var total = SimDuration.zero
        for d in state.drains {
            for h in d.budgetHolds where h.budget == b {
                holds += 1
                total = total + ((h.until ?? endTime) - h.from)
            }
        }
        return (holds, total)
    }

    func budgetLine(_ b: Int) -> String {
        let budget = state.budgets[b]
        let st = state.budgetStatus(b, now: endTime)
        var line = "PodDisruptionBudget \(budget.name) (\(budget.describeSpec)"
        if budget.recoveryTime > .zero { line += ", recoveryTime \(budget.recoveryTime)" }
        line += "): \(st.currentHealthy) healthy of \(st.desiredHealthy) wanted at the end, \(st.disruptionsAllowed) disruption(s) allowed"
        let (holds, total) = budgetHeld(b)
        if holds > 0 { line += "; held drains \(holds) time(s), \(total) in all" }
        return line
    }

    func workloadLine(_ w: Int) -> String {
        let workload = state.workloads[w]
        let live = state.pods.filter { $0.workload.i == w && !$0.gone && !$0.terminating }
        var line = "\(workload.kind.rawValue) \(workload.name): \(live.count { $0.ready }) of \(workload.replicas) Ready at the end"
        let replaced = replacedPods(w)
        if replaced > 0 { line += ", \(replaced) pod(s) replaced" }
        for pod in live where pod.node == nil { line += "; \(pod.name) Pending: \(pod.unschedulableReason ?? "not yet scheduled")" }
        return line
    }
}

extension ReportText {
    static func workloadsText(_ r: RunRecord) -> String {
        let s = r.state
        guard !s.workloads.isEmpty else { return "" }
        var out = "\nWorkloads (pods that are not VMs) and their budgets\n"
        for b in s.budgets.indices { out += TextLayout.wrap(r.budgetLine(b)) }
        for w in s.workloads.indices.prefix(vmDetailLimit) { out += TextLayout.wrap(r.workloadLine(w)) }
        if s.workloads.count > vmDetailLimit { out += "  ... \(s.workloads.count - vmDetailLimit) more workload(s) in report.json\n" }
        return out
    }
}

extension ReportJSON {
    static func workloadsJSON(_ r: RunRecord) -> [(String, JSONValue)] {
        let s = r.state
        guard !s.workloads.isEmpty else { return [] }
        let budgets = s.budgets.indices.map { b in
            let st = s.budgetStatus(b, now: r.endTime)
            let (holds, total) = r.budgetHeld(b)
            return JSONValue.object([
                ("name", .string(s.budgets[b].name)), ("spec", .string(s.budgets[b].describeSpec)),
                ("recoveryTimeMs", .int(s.budgets[b].recoveryTime.milliseconds)), ("currentHealthy", .int(Int64(st.currentHealthy))),
                ("desiredHealthy", .int(Int64(st.desiredHealthy))), ("disruptionsAllowed", .int(Int64(st.disruptionsAllowed))),
                ("drainHolds", .int(Int64(holds))), ("drainHeldMs", .int(total.milliseconds)),
            ])
        }
        let workloads = s.workloads.indices.map { w in
            JSONValue.object([
                ("name", .string(s.workloads[w].name)), ("kind", .string(s.workloads[w].kind.rawValue)),
                ("replicas", .int(Int64(s.workloads[w].replicas))), ("podsReplaced", .int(Int64(r.replacedPods(w)))),
                (
                    "pods",
                    .array(
                        s.pods.filter { $0.workload.i == w && !$0.gone }.map { pod in
                            .object([
                                ("name", .string(pod.name)), ("node", .optional(pod.node.map { s.nodes[$0.i].name })),
                                ("ready", .bool(pod.ready)), ("terminating", .bool(pod.terminating)),
                                ("unschedulableReason", .optional(pod.node == nil ? pod.unschedulableReason : nil)),
                            ])
                        })
                ),
            ])
        }
        return [("podDisruptionBudgets", .array(budgets)), ("workloads", .array(workloads))]
    }
}
