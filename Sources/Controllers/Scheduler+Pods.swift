import ClusterModel

/// The kube-scheduler for workload pods: the filters VM pods meet (cordon and failure taints, the
/// control-plane role taint, untolerated taints, nodeSelector and node affinity, requests, required
/// anti-affinity against other workload pods) and the same scoring, lowest index on ties.
extension Scheduler {
    public static func place(pod p: PodID, in state: borrowing ClusterState) -> Placement {
        let w = state.workloads[state.pods[p.i].workload.i]
        let pack = state.config.scoring == .MostAllocated
        var best: NodeID?
        var bestScore: Int64 = -1
        let occupied = occupiedDomains(w, in: state)
        for i in state.nodes.indices where state.acceptsVMs[i] && w.allows(state.nodes[i]) {
            let n = NodeID(i)
            let freeCPU = state.freeCPUMillis(n), freeMemory = state.freeMemoryBytes(n)
            if freeCPU < w.cpuRequestMillis || freeMemory < w.memoryRequestBytes { continue }
            if antiAffinityExcludes(w, i, occupied, in: state) { continue }
            let spread =
                (freeCPU - w.cpuRequestMillis) * 10_000 / state.allocatableCPUMillis[i]
                + (freeMemory - w.memoryRequestBytes) * 10_000 / state.allocatableMemoryBytes[i]
            let score = pack ? 20_000 - spread : spread
            if score > bestScore {
                bestScore = score
                best = n
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

    /// Why no node fits a workload pod, counted per kind of node like the Kubernetes scheduler's message.
    public static func reason(pod p: PodID, in state: borrowing ClusterState) -> String {
        let w = state.workloads[state.pods[p.i].workload.i]
        let occupied = occupiedDomains(w, in: state)
        var cordoned = 0, controlPlane = 0, notReady = 0, unmatched = 0, lackMemory = 0, lackCPU = 0, antiAffinity = 0
        for (i, node) in state.nodes.enumerated() {
            if node.role == .controlPlane {
                controlPlane += 1
            } else if node.unschedulable {
                cordoned += 1
            } else if !state.health[i].acceptsPods {
                notReady += 1
            } else if !w.allows(node) {
                unmatched += 1
            } else if state.freeMemoryBytes(NodeID(i)) < w.memoryRequestBytes {
                lackMemory += 1
            } else if state.freeCPUMillis(NodeID(i)) < w.cpuRequestMillis {
                lackCPU += 1
            } else if antiAffinityExcludes(w, i, occupied, in: state) {
                antiAffinity += 1
            }
        }
        let parts = [
            (cordoned, "cordoned"), (controlPlane, "control-plane (tainted)"), (notReady, "down or tainted by failure handling"),
            (unmatched, "not matching nodeSelector, node affinity or tolerations"),
            (lackMemory, "lack \(ByteFormat.describe(w.memoryRequestBytes)) memory"), (lackCPU, "lack \(w.cpuRequestMillis)m CPU"),
            (antiAffinity, "excluded by pod anti-affinity"),
        ].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        return "0/\(state.nodes.count) nodes available: " + parts.joined(separator: ", ")
    }
}
