import ClusterModel
import SimKernel

/// Where a pod goes, or why it cannot go anywhere.
public enum Placement: Equatable, Sendable {
    case node(NodeID)
    case unschedulable(String)

    public var node: NodeID? {
        if case .node(let n) = self { return n }
        return nil
    }
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
        // A migration target must run the guest's CPU model (KubeVirt's host-model node selector).
        let runsTargetModel =
            avoiding == nil ? nil : state.vmStatus[vm.i].vmi?.cpuModel.flatMap { state.placement.nodesRunningCPUModel[$0] }
        let affinity = !state.placement.ownTerms[vm.i].isEmpty || !state.placement.memberTerms[vm.i].isEmpty
        let pack = state.config.scoring == .MostAllocated
        // The arrays once, as locals: touching `state` inside the loop can copy it whole in debug builds.
        let candidate = Candidate(
            accepts: state.acceptsVMs, eligible: eligibility >= 0 ? state.placement.eligible[Int(eligibility)] : nil,
            runsModel: runsTargetModel, avoid: avoid, cpuCapacity: state.allocatableCPUMillis, memoryCapacity: state.allocatableMemoryBytes,
            cpuRequested: state.cpuRequestedMillis, memoryRequested: state.memoryRequestedBytes, cpu: cpuMillis, memory: memoryBytes,
            pack: pack)
        // LeastAllocated without anti-affinity: the node tree finds the same node without a full scan.
        if !pack && !affinity, let tree = state.freeTree {
            if let i = tree.best(cpu: cpuMillis, memory: memoryBytes, score: candidate.score) { return .node(NodeID(i)) }
            return .unschedulable(explain ? reason(vm, avoiding: avoid, in: state) : "")
        }
        var best: NodeID?
        var bestScore: Int64 = -1
        for i in candidate.accepts.indices {
            guard let score = candidate.score(i) else { continue }
            if affinity && state.antiAffinityExcludes(vm, i) { continue }
            if score > bestScore {
                bestScore = score
                best = NodeID(i)
            }
        }
        if let best { return .node(best) }
        return .unschedulable(explain ? reason(vm, avoiding: avoid, in: state) : "")
    }

    /// The scheduler's per-node filters (cordon and failure taints, static constraints, the CPU
    /// model, the migration source, resources) and its NodeResourcesFit score: nil when the node is
    /// filtered out. Shared by the full scan and the node tree, so both judge a node alike.
    struct Candidate {
        let accepts: [Bool]
        let eligible: [Bool]?
        let runsModel: [Bool]?
        let avoid: Int
        let cpuCapacity: [Int64], memoryCapacity: [Int64], cpuRequested: [Int64], memoryRequested: [Int64]
        let cpu: Int64, memory: Int64
        let pack: Bool

        func score(_ i: Int) -> Int64? {
            guard accepts[i], i != avoid else { return nil }
            if let eligible, !eligible[i] { return nil }
            if let runsModel, !runsModel[i] { return nil }
            let freeMemory = memoryCapacity[i] - memoryRequested[i], freeCPU = cpuCapacity[i] - cpuRequested[i]
            if freeMemory < memory || freeCPU < cpu { return nil }
            let spread = (freeCPU - cpu) * 10_000 / cpuCapacity[i] + (freeMemory - memory) * 10_000 / memoryCapacity[i]
            return pack ? 20_000 - spread : spread
        }
    }

    /// Whether a pod that fit no node when last tried may fit now, when only `freed` gained room or
    /// opened: every other node is as full and as closed as it was. A ReadWriteOncePod claim or an
    /// anti-affinity term depends on pods elsewhere in the cluster or domain: such a pod is always tried.
    public static func mayFitNow(_ vm: VMID, freed: [NodeID], in state: borrowing ClusterState) -> Bool {
        if state.dependsOnOtherPods(vm) { return true }
        let cpuMillis = state.launcherCPURequestMillis[vm.i], memoryBytes = state.launcherMemoryRequestBytes[vm.i]
        for n in freed where state.acceptsVMs[n.i] && state.staticallyEligible(vm, n.i) {
            if state.hasRoom(cpuMillis, memoryBytes, on: n) { return true }
        }
        return false
    }

    /// How many nodes each filter turned the pod away from, each node under the first filter that
    /// rejects it (the counts of the Kubernetes scheduler's "0/N nodes are available" message).
    public struct Rejections: Sendable {
        public var cordoned = 0, controlPlane = 0, notReady = 0, tainted = 0, lackCPUModel = 0, volumeNodeConflict = 0
        public var unmatched = 0, lackMemory = 0, lackCPU = 0, antiAffinity = 0, source = 0
        /// The CPU model the pod needs (a named model, or a migration target's host model).
        public var cpuModel: String?
        /// A VM whose pod keeps this one away by anti-affinity (the first found).
        public var antiAffinityWith: VMID?
        /// A ReadWriteOncePod claim in use by another VM's pod: no node is even considered.
        public var readWriteOncePod: (claim: ClaimID, other: VMID)?

        /// Some node that every other filter accepts lacks room: more capacity would help; without
        /// one, nodes alone would not (constraints, taints, a claim in use).
        public var lacksCapacity: Bool { lackMemory + lackCPU > 0 }
    }

    public static func rejections(_ vm: VMID, avoiding avoid: Int, in state: borrowing ClusterState) -> Rejections {
        var r = Rejections()
        if let conflict = state.readWriteOncePodConflict(vm) {
            r.readWriteOncePod = conflict
            return r
        }
        let spec = state.vms[vm.i]
        let cpuMillis = spec.launcherCPURequestMillis, memoryBytes = spec.launcherMemoryRequestBytes
        r.cpuModel = spec.cpuModel ?? (avoid >= 0 ? state.vmStatus[vm.i].vmi?.cpuModel : nil)
        for i in state.nodes.indices {
            let node = state.nodes[i]
            if i == avoid {
                r.source += 1
            } else if node.role == .controlPlane {
                // Control-plane nodes carry the NoSchedule role taint that VM pods do not tolerate.
                r.controlPlane += 1
            } else if node.unschedulable {
                r.cordoned += 1
            } else if !state.health[i].acceptsPods {
                r.notReady += 1
            } else if PlacementTables.untoleratedTaint(spec.tolerations, on: node) != nil {
                r.tainted += 1
            } else if let model = r.cpuModel, !node.runs(cpuModel: model) {
                r.lackCPUModel += 1
            } else if state.placement.localVolumeNodes[vm.i].contains(where: { $0.i != i }) {
                // kube-scheduler's VolumeBinding filter: a local PV can be used only on its node.
                r.volumeNodeConflict += 1
            } else if !state.staticallyEligible(vm, i) {
                r.unmatched += 1
            } else if state.freeMemoryBytes(NodeID(i)) < memoryBytes {
                r.lackMemory += 1
            } else if state.freeCPUMillis(NodeID(i)) < cpuMillis {
                r.lackCPU += 1
            } else if state.antiAffinityExcludes(vm, i) {
                r.antiAffinity += 1
                if r.antiAffinityWith == nil { r.antiAffinityWith = state.antiAffinityConflict(vm, i) }
            }
        }
        return r
    }

    /// Why no node fits, counted per kind of node like the Kubernetes scheduler's message.
    public static func reason(_ vm: VMID, avoiding avoid: Int, in state: borrowing ClusterState) -> String {
        let r = rejections(vm, avoiding: avoid, in: state)
        if let (c, other) = r.readWriteOncePod {
            return "0/\(state.nodes.count) nodes available: ReadWriteOncePod claim \(state.claims[c.i].name) is in use by the pod of "
                + state.vms[other.i].name
        }
        let spec = state.vms[vm.i]
        let cpuMillis = spec.launcherCPURequestMillis, memoryBytes = spec.launcherMemoryRequestBytes
        var parts: [String] = []
        if r.cordoned > 0 { parts.append("\(r.cordoned) cordoned") }
        if r.controlPlane > 0 { parts.append("\(r.controlPlane) control-plane (tainted)") }
        if r.notReady > 0 { parts.append("\(r.notReady) down or tainted by failure handling") }
        if r.tainted > 0 { parts.append("\(r.tainted) with a taint the VM does not tolerate") }
        if r.lackCPUModel > 0 { parts.append("\(r.lackCPUModel) lack CPU model \(r.cpuModel ?? "")") }
        if r.volumeNodeConflict > 0 { parts.append("\(r.volumeNodeConflict) had volume node affinity conflict") }
        if r.unmatched > 0 { parts.append("\(r.unmatched) not matching nodeSelector or node affinity") }
        if r.lackMemory > 0 { parts.append("\(r.lackMemory) lack \(ByteFormat.describe(memoryBytes)) memory") }
        if r.lackCPU > 0 { parts.append("\(r.lackCPU) lack \(cpuMillis)m CPU") }
        if r.antiAffinity > 0 {
            parts.append("\(r.antiAffinity) excluded by anti-affinity" + (r.antiAffinityWith.map { " with \(state.vms[$0.i].name)" } ?? ""))
        }
        if r.source > 0 { parts.append("1 is the migration source") }
        let head: String
        if r.lackMemory > 0 {
            head = "no schedulable node has \(ByteFormat.describe(memoryBytes)) memory free"
        } else if r.lackCPU > 0 {
            head = "no schedulable node has \(cpuMillis)m CPU free"
        } else {
            head = "no node fits"
        }
        return head + " (0/\(state.nodes.count) nodes available: " + parts.joined(separator: ", ") + ")"
    }
}
