import ClusterModel
import SimKernel

/// Where a pod goes, or why it cannot go anywhere.
public enum Placement: Equatable, Sendable {
    case node(NodeID)
    case unschedulable(String)
}

/// The kube-scheduler as far as VMs need it. Filters, in kube-scheduler's order: a ReadWriteOncePod
/// claim in use by another pod (VolumeRestrictions, cluster-wide), cordon and failure taints,
/// untolerated taints, nodeSelector and node affinity, resource requests (with the virt-launcher
/// overhead), pod anti-affinity. Among the nodes that fit it scores by least allocated
/// (kube-scheduler's default NodeResourcesFit strategy) or most allocated, lowest index on ties.
public enum Scheduler {
    /// `explain: false` skips building the reason (retries of a pod that already has one).
    public static func place(_ vm: VMID, avoiding: NodeID?, in state: borrowing ClusterState, explain: Bool = true) -> Placement {
        let cpuMillis = state.launcherCPURequestMillis[vm.i], memoryBytes = state.launcherMemoryRequestBytes[vm.i]
        let avoid = avoiding?.i ?? -1
        if state.readWriteOncePodConflict(vm) != nil { return .unschedulable(explain ? reason(vm, avoiding: avoid, in: state) : "") }
        let eligibility = state.placement.classOfVM[vm.i]
        let affinity = !state.placement.ownTerms[vm.i].isEmpty || !state.placement.memberTerms[vm.i].isEmpty
        let pack = state.config.scoring == .MostAllocated
        var best: NodeID?
        var bestScore: Int64 = -1
        // The arrays once, as locals: touching `state` inside the loop can copy it whole in debug builds.
        let accepts = state.acceptsVMs, eligible = eligibility >= 0 ? state.placement.eligible[Int(eligibility)] : []
        let memoryCapacity = state.allocatableMemoryBytes, cpuCapacity = state.allocatableCPUMillis
        let memoryRequested = state.memoryRequestedBytes, cpuRequested = state.cpuRequestedMillis
        for i in accepts.indices where accepts[i] && i != avoid {
            if eligibility >= 0 && !eligible[i] { continue }
            let capacityMemory = memoryCapacity[i], capacityCPU = cpuCapacity[i]
            let freeMemory = capacityMemory - memoryRequested[i]
            let freeCPU = capacityCPU - cpuRequested[i]
            if freeMemory < memoryBytes || freeCPU < cpuMillis { continue }
            if affinity && state.antiAffinityExcludes(vm, i) { continue }
            let spread = (freeCPU - cpuMillis) * 10_000 / capacityCPU + (freeMemory - memoryBytes) * 10_000 / capacityMemory
            let score = pack ? 20_000 - spread : spread
            if score > bestScore {
                bestScore = score
                best = NodeID(i)
            }
        }
        if let best { return .node(best) }
        return .unschedulable(explain ? reason(vm, avoiding: avoid, in: state) : "")
    }

    /// Whether a pod that fit no node when last tried may fit now, when only `freed` gained room or
    /// opened: every other node is as full and as closed as it was. A ReadWriteOncePod claim or an
    /// anti-affinity term depends on pods elsewhere in the cluster or domain: such a pod is always tried.
    public static func mayFitNow(_ vm: VMID, freed: [NodeID], in state: borrowing ClusterState) -> Bool {
        if state.dependsOnOtherPods(vm) { return true }
        let cpuMillis = state.launcherCPURequestMillis[vm.i], memoryBytes = state.launcherMemoryRequestBytes[vm.i]
        for n in freed where state.acceptsVMs[n.i] && state.staticallyEligible(vm, n.i) {
            if state.freeMemoryBytes(n) >= memoryBytes && state.freeCPUMillis(n) >= cpuMillis { return true }
        }
        return false
    }

    /// Why no node fits, counted per kind of node like the Kubernetes scheduler's message (each node
    /// under the first filter that rejects it).
    public static func reason(_ vm: VMID, avoiding avoid: Int, in state: borrowing ClusterState) -> String {
        if let (c, other) = state.readWriteOncePodConflict(vm) {
            return "0/\(state.nodes.count) nodes available: ReadWriteOncePod claim \(state.claims[c.i].name) is in use by the pod of "
                + state.vms[other.i].name
        }
        let spec = state.vms[vm.i]
        let cpuMillis = spec.launcherCPURequestMillis, memoryBytes = spec.launcherMemoryRequestBytes
        var cordoned = 0, controlPlane = 0, notReady = 0, tainted = 0, unmatched = 0, lackMemory = 0, lackCPU = 0
        var source = 0, antiAffinity = 0
        var conflict: VMID?
        for i in state.nodes.indices {
            let node = state.nodes[i]
            if i == avoid {
                source += 1
            } else if node.role == .controlPlane {
                // Control-plane nodes carry the NoSchedule role taint that VM pods do not tolerate.
                controlPlane += 1
            } else if node.unschedulable {
                cordoned += 1
            } else if !state.health[i].acceptsPods {
                notReady += 1
            } else if PlacementTables.untoleratedTaint(spec, on: node) != nil {
                tainted += 1
            } else if !state.staticallyEligible(vm, i) {
                unmatched += 1
            } else if state.freeMemoryBytes(NodeID(i)) < memoryBytes {
                lackMemory += 1
            } else if state.freeCPUMillis(NodeID(i)) < cpuMillis {
                lackCPU += 1
            } else if state.antiAffinityExcludes(vm, i) {
                antiAffinity += 1
                if conflict == nil { conflict = state.antiAffinityConflict(vm, i) }
            }
        }
        var parts: [String] = []
        if cordoned > 0 { parts.append("\(cordoned) cordoned") }
        if controlPlane > 0 { parts.append("\(controlPlane) control-plane (tainted)") }
        if notReady > 0 { parts.append("\(notReady) down or tainted by failure handling") }
        if tainted > 0 { parts.append("\(tainted) with a taint the VM does not tolerate") }
        if unmatched > 0 { parts.append("\(unmatched) not matching nodeSelector or node affinity") }
        if lackMemory > 0 { parts.append("\(lackMemory) lack \(ByteFormat.describe(memoryBytes)) memory") }
        if lackCPU > 0 { parts.append("\(lackCPU) lack \(cpuMillis)m CPU") }
        if antiAffinity > 0 {
            parts.append("\(antiAffinity) excluded by anti-affinity" + (conflict.map { " with \(state.vms[$0.i].name)" } ?? ""))
        }
        if source > 0 { parts.append("1 is the migration source") }
        let head: String
        if lackMemory > 0 {
            head = "no schedulable node has \(ByteFormat.describe(memoryBytes)) memory free"
        } else if lackCPU > 0 {
            head = "no schedulable node has \(cpuMillis)m CPU free"
        } else {
            head = "no node fits"
        }
        return head + " (0/\(state.nodes.count) nodes available: " + parts.joined(separator: ", ") + ")"
    }
}
