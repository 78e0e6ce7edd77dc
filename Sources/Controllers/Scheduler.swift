import ClusterModel
import SimKernel

/// Where a pod goes, or why it cannot go anywhere.
public enum Placement: Equatable, Sendable {
    case node(NodeID)
    case unschedulable(String)
}

/// The kube-scheduler as far as VMs need it: filter nodes by cordon, role and resource requests, then
/// score by least allocated (kube-scheduler's default `NodeResourcesFit` strategy), lowest index on ties.
public enum Scheduler {
    public static func place(cpuMillis: Int64, memoryBytes: Int64, avoiding: NodeID?, in state: ClusterState) -> Placement {
        var best: NodeID?
        var bestScore: Int64 = -1
        let avoid = avoiding?.i ?? -1
        for i in state.acceptsVMs.indices where state.acceptsVMs[i] && i != avoid {
            let capacityMemory = state.allocatableMemoryBytes[i], capacityCPU = state.allocatableCPUMillis[i]
            let freeMemory = capacityMemory - state.memoryRequestedBytes[i]
            let freeCPU = capacityCPU - state.cpuRequestedMillis[i]
            if freeMemory < memoryBytes || freeCPU < cpuMillis { continue }
            let score = (freeCPU - cpuMillis) * 10_000 / capacityCPU + (freeMemory - memoryBytes) * 10_000 / capacityMemory
            if score > bestScore {
                bestScore = score
                best = NodeID(i)
            }
        }
        if let best { return .node(best) }
        return .unschedulable(reason(cpuMillis: cpuMillis, memoryBytes: memoryBytes, avoiding: avoid, in: state))
    }

    /// Why no node fits, counted per kind of node like the Kubernetes scheduler's message.
    static func reason(cpuMillis: Int64, memoryBytes: Int64, avoiding avoid: Int, in state: ClusterState) -> String {
        var cordoned = 0, controlPlane = 0, notReady = 0, lackMemory = 0, lackCPU = 0, source = 0
        for i in state.nodes.indices {
            if i == avoid {
                source += 1
            } else if state.nodes[i].role == .controlPlane {
                // Control-plane nodes carry the NoSchedule role taint that VM pods do not tolerate.
                controlPlane += 1
            } else if state.nodes[i].unschedulable {
                cordoned += 1
            } else if !state.health[i].acceptsPods {
                notReady += 1
            } else if state.freeMemoryBytes(NodeID(i)) < memoryBytes {
                lackMemory += 1
            } else if state.freeCPUMillis(NodeID(i)) < cpuMillis {
                lackCPU += 1
            }
        }
        var parts: [String] = []
        if cordoned > 0 { parts.append("\(cordoned) cordoned") }
        if controlPlane > 0 { parts.append("\(controlPlane) control-plane (tainted)") }
        if notReady > 0 { parts.append("\(notReady) down or tainted by failure handling") }
        if lackMemory > 0 { parts.append("\(lackMemory) insufficient memory") }
        if lackCPU > 0 { parts.append("\(lackCPU) insufficient cpu") }
        if source > 0 { parts.append("1 is the migration source") }
        let head: String
        if lackMemory > 0 {
            head = "no schedulable node has \(ByteFormat.describe(memoryBytes)) memory free"
        } else if lackCPU > 0 {
            head = "no schedulable node has \(cpuMillis)m CPU free"
        } else {
            head = "no schedulable node"
        }
        return head + " (0/\(state.nodes.count) nodes available: " + parts.joined(separator: ", ") + ")"
    }
}
