/// Scheduling constraints, turned into tables once so the scheduler's per-node check stays cheap.
///
/// Static constraints (nodeSelector, node affinity, taints and tolerations) become one eligibility
/// list per distinct constraint set. Anti-affinity needs live counts: for each term, how many pods
/// of VMs it selects ("members") and of VMs that carry it ("owners") sit in each topology domain.
public struct PlacementTables: Equatable, Sendable, Codable {
    /// Per eligibility class, per node: the static constraints allow the node.
    public var eligible: [[Bool]] = []
    /// Per VM: its class, or -1 when nothing restricts it.
    public var classOfVM: [Int32] = []
    public var terms: [AntiAffinityTerm] = []
    /// Per term, per node: its topology domain, or -1 when the node lacks the topology label.
    public var domainOfNode: [[Int32]] = []
    public var domainCount: [Int] = []
    /// Per VM: the terms it carries, and the terms whose selector matches its labels.
    public var ownTerms: [[Int32]] = []
    public var memberTerms: [[Int32]] = []
    /// Per VM: the nodes its node-local volumes live on (the PVs' node affinity; empty: none).
    public var localVolumeNodes: [[NodeID]] = []
    /// Per CPU model the nodes publish, per node: it runs that model (what a host-model guest's
    /// migration target is selected by).
    public var nodesRunningCPUModel: [String: [Bool]] = [:]

    /// Node labels as the scheduler sees them, with the implicit `kubernetes.io/hostname`.
    public static func labels(of node: Node) -> [Label] {
        node.labels + [Label(key: AntiAffinityTerm.hostname, value: node.name)]
    }

    /// A pod's static constraints — nodeSelector, required node affinity, tolerations — allow the
    /// node (VM pods and workload pods alike).
    public static func allowed(
        nodeSelector: [Label], nodeAffinity: [NodeSelectorRequirement], tolerations: [Toleration], on node: Node
    ) -> Bool {
        let labels = labels(of: node)
        guard nodeSelector.allSatisfy({ labels.contains($0) }) else { return false }
        guard nodeAffinity.allSatisfy({ $0.matches(labels) }) else { return false }
        return untoleratedTaint(tolerations, on: node) == nil
    }

    public static func staticallyAllowed(_ vm: VirtualMachine, on node: Node) -> Bool {
        if let model = vm.cpuModel, !node.runs(cpuModel: model) { return false }
        return allowed(nodeSelector: vm.nodeSelector, nodeAffinity: vm.nodeAffinity, tolerations: vm.tolerations, on: node)
    }

    /// The first NoSchedule or NoExecute taint of the node that the tolerations do not cover.
    public static func untoleratedTaint(_ tolerations: [Toleration], on node: Node) -> Taint? {
        node.taints.first { t in t.effect != .PreferNoSchedule && !tolerations.contains { $0.tolerates(t) } }
    }

    init(nodes: [Node], vms: [VirtualMachine], claims: [PersistentVolumeClaim]) {
        let anyTaint = nodes.contains { !$0.taints.isEmpty }
        for model in nodes.flatMap({ ($0.cpuModel.map { [$0] } ?? []) + $0.otherCPUModels }) where nodesRunningCPUModel[model] == nil {
            nodesRunningCPUModel[model] = nodes.map { $0.runs(cpuModel: model) }
        }
        localVolumeNodes = vms.map { vm in
            var out: [NodeID] = []
            for c in vm.claims { if let n = claims[c.i].node, !out.contains(n) { out.append(n) } }
            return out
        }
        var classIndex: [String: Int32] = [:]  // looked up only while building
        for (i, vm) in vms.enumerated() {
            let local = localVolumeNodes[i]
            let constrained = anyTaint || !vm.nodeSelector.isEmpty || !vm.nodeAffinity.isEmpty || !local.isEmpty || vm.cpuModel != nil
            guard constrained else {
                classOfVM.append(-1)
                continue
            }
            let key = "\(vm.nodeSelector)|\(vm.nodeAffinity)|\(vm.tolerations)|\(local.map(\.i))|\(vm.cpuModel ?? "")"
            if let k = classIndex[key] {
                classOfVM.append(k)
            } else {
                let k = Int32(eligible.count)
                classIndex[key] = k
                eligible.append(
                    nodes.indices.map { n in PlacementTables.staticallyAllowed(vm, on: nodes[n]) && local.allSatisfy { $0.i == n } })
                classOfVM.append(k)
            }
        }
        for vm in vms {
            for t in vm.antiAffinity where !terms.contains(t) { terms.append(t) }
        }
        for t in terms {
            var values: [String] = []
            domainOfNode.append(
                nodes.map { node in
                    guard let v = PlacementTables.labels(of: node).first(where: { $0.key == t.topologyKey })?.value else { return -1 }
                    if let k = values.firstIndex(of: v) { return Int32(k) }
                    values.append(v)
                    return Int32(values.count - 1)
                })
            domainCount.append(values.count)
        }
        ownTerms = vms.map { vm in vm.antiAffinity.compactMap { t in terms.firstIndex(of: t).map(Int32.init) } }
        memberTerms = vms.map { vm in
            terms.indices.filter { t in terms[t].matchLabels.allSatisfy { vm.labels.contains($0) } }.map(Int32.init)
        }
    }
}

extension ClusterState {
    /// Counts (delta +1) or uncounts (−1) a VM's running pod on a node for anti-affinity.
    mutating func countPod(of vm: VMID, on node: NodeID, _ delta: Int32) {
        for t in placement.ownTerms[vm.i] {
            let d = placement.domainOfNode[Int(t)][node.i]
            if d >= 0 { ownersInDomain[Int(t)][Int(d)] += delta }
        }
        for t in placement.memberTerms[vm.i] {
            let d = placement.domainOfNode[Int(t)][node.i]
            if d >= 0 { membersInDomain[Int(t)][Int(d)] += delta }
        }
    }

    /// The static constraints allow the node for this VM.
    public func staticallyEligible(_ vm: VMID, _ node: Int) -> Bool {
        let c = placement.classOfVM[vm.i]
        return c < 0 || placement.eligible[Int(c)][node]
    }

    /// Anti-affinity keeps the VM off the node: a pod in the node's domain is selected by one of the
    /// VM's terms, or carries a term that selects the VM (Kubernetes checks both ways).
    public func antiAffinityExcludes(_ vm: VMID, _ node: Int) -> Bool {
        for t in placement.ownTerms[vm.i] {
            let d = placement.domainOfNode[Int(t)][node]
            if d >= 0 && membersInDomain[Int(t)][Int(d)] > 0 { return true }
        }
        for t in placement.memberTerms[vm.i] {
            let d = placement.domainOfNode[Int(t)][node]
            if d >= 0 && ownersInDomain[Int(t)][Int(d)] > 0 { return true }
        }
        return false
    }

    /// A VM whose pod in the node's domain causes the exclusion, for the scheduler's message.
    public func antiAffinityConflict(_ vm: VMID, _ node: Int) -> VMID? {
        let candidates = Set(placement.ownTerms[vm.i] + placement.memberTerms[vm.i])
        for t in candidates.sorted() {
            let d = placement.domainOfNode[Int(t)][node]
            guard d >= 0 else { continue }
            for n in nodes.indices where placement.domainOfNode[Int(t)][n] == d {
                let pods = launchers[n] + migrationTargets[n].map { migrations[$0.i].vm }
                for other in pods.sorted() {
                    let selects = placement.ownTerms[vm.i].contains(t) && placement.memberTerms[other.i].contains(t)
                    let selected = placement.memberTerms[vm.i].contains(t) && placement.ownTerms[other.i].contains(t)
                    if selects || selected { return other }
                }
            }
        }
        return nil
    }
}
