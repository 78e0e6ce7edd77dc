import ClusterModel

/// The kube-scheduler for workload pods: the filters and score VM pods meet (`Candidate`: cordon and
/// failure taints, the workload's static constraints, requests), plus required anti-affinity against
/// other workload pods; lowest index on ties.
extension Scheduler {
    public static func place(pod p: PodID, in state: borrowing ClusterState) -> Placement {
        let wi = state.pods[p.i].workload.i
        let w = state.workloads[wi]
        let pack = state.config.scoring == .MostAllocated
        let candidate = Candidate(
            accepts: state.acceptsVMs, eligible: state.workloadEligible[wi], runsModel: nil, avoid: -1,
            cpuCapacity: state.allocatableCPUMillis, memoryCapacity: state.allocatableMemoryBytes, cpuRequested: state.cpuRequestedMillis,
            memoryRequested: state.memoryRequestedBytes, cpu: w.cpuRequestMillis, memory: w.memoryRequestBytes, pack: pack)
        if !pack && w.antiAffinity.isEmpty, let tree = state.freeTree {
            if let i = tree.best(cpu: w.cpuRequestMillis, memory: w.memoryRequestBytes, score: candidate.score) { return .node(NodeID(i)) }
            return .unschedulable(reason(pod: p, in: state))
        }
        let occupied = occupiedDomains(w, in: state)
        var best: NodeID?
        var bestScore: Int64 = -1
        for i in candidate.accepts.indices {
            guard let score = candidate.score(i), !antiAffinityExcludes(w, i, occupied, in: state) else { continue }
            if score > bestScore {
                bestScore = score
                best = NodeID(i)
            }
        }
        if let best { return .node(best) }
        return .unschedulable(reason(pod: p, in: state))
    }

    /// Per anti-affinity term of `w`: the topology domains holding a workload pod the term selects.
    static func occupiedDomains(_ w: Workload, in state: borrowing ClusterState) -> [[String]] {
        w.antiAffinity.map { term in
            var domains: [String] = []
            for (n, pods) in state.workloadPods.enumerated()
            where pods.contains(where: { term.matchLabels.allSatisfy(state.workloads[state.pods[$0.i].workload.i].labels.contains) }) {
                if let d = domain(of: n, term.topologyKey, in: state), !domains.contains(d) { domains.append(d) }
            }
            return domains
        }
    }

    static func domain(of n: Int, _ key: String, in state: borrowing ClusterState) -> String? {
        PlacementTables.labels(of: state.nodes[n]).first { $0.key == key }?.value
    }

    /// Whether a required anti-affinity term keeps `w`'s pod off node `i` (a node without the
    /// topology label is in no domain).
    static func antiAffinityExcludes(_ w: Workload, _ i: Int, _ occupied: [[String]], in state: borrowing ClusterState) -> Bool {
        for (t, term) in w.antiAffinity.enumerated() {
            if let d = domain(of: i, term.topologyKey, in: state), occupied[t].contains(d) { return true }
        }
        return false
    }

    /// How many nodes each filter turned a workload pod away from (the counts `reason(pod:)` gives).
    public static func rejections(pod p: PodID, in state: borrowing ClusterState) -> Rejections {
        let wi = state.pods[p.i].workload.i
        let w = state.workloads[wi]
        let occupied = occupiedDomains(w, in: state)
        var r = Rejections()
        for (i, node) in state.nodes.enumerated() {
            if node.role == .controlPlane {
                r.controlPlane += 1
            } else if node.unschedulable {
                r.cordoned += 1
            } else if !state.health[i].acceptsPods {
                r.notReady += 1
            } else if !state.workloadEligible[wi][i] {
                r.unmatched += 1
            } else if state.freeMemoryBytes(NodeID(i)) < w.memoryRequestBytes {
                r.lackMemory += 1
            } else if state.freeCPUMillis(NodeID(i)) < w.cpuRequestMillis {
                r.lackCPU += 1
            } else if antiAffinityExcludes(w, i, occupied, in: state) {
                r.antiAffinity += 1
            }
        }
        return r
    }

    /// Why no node fits a workload pod, counted per kind of node like the Kubernetes scheduler's message.
    public static func reason(pod p: PodID, in state: borrowing ClusterState) -> String {
        let w = state.workloads[state.pods[p.i].workload.i]
        let r = rejections(pod: p, in: state)
        let parts = [
            (r.cordoned, "cordoned"), (r.controlPlane, "control-plane (tainted)"), (r.notReady, "down or tainted by failure handling"),
            (r.unmatched, "not matching nodeSelector, node affinity or tolerations"),
            (r.lackMemory, "lack \(ByteFormat.describe(w.memoryRequestBytes)) memory"), (r.lackCPU, "lack \(w.cpuRequestMillis)m CPU"),
            (r.antiAffinity, "excluded by pod anti-affinity"),
        ].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        return "0/\(state.nodes.count) nodes available: " + parts.joined(separator: ", ")
    }
}
