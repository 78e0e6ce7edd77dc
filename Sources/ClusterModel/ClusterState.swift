import SimKernel

/// Everything the controllers read: specs, statuses, and indexes kept in step with them.
///
/// Entities live in arrays indexed by typed IDs; the per-node lists and counters are derived
/// indexes that only the mutating methods in ClusterState+Placement.swift touch.
public struct ClusterState: Equatable, Sendable, Codable {
    public var config: ClusterConfig
    /// The strategy for VMs that set none (the cluster's, or HCO's default).
    public let clusterEvictionStrategy: EvictionStrategy
    /// Per VM: the strategy in force and whether it is live-migratable, flat for the drain's passes
    /// (neither changes during a run).
    public let evictionStrategyOfVM: [EvictionStrategy]
    public let liveMigratableVM: [Bool]
    public internal(set) var nodes: [Node]
    public var claims: [PersistentVolumeClaim]
    public var vms: [VirtualMachine]
    public var vmStatus: [VMStatus]
    /// Computed once per VM: nothing in a run changes a VM's volumes, devices or network.
    public let liveMigratable: [LiveMigratable]
    /// Per VM: the migration settings in force (the cluster's, or its MigrationPolicy's).
    public let migrationSettings: [MigrationSettings]
    public var migrations: [VirtualMachineInstanceMigration] = []
    public var drains: [Drain] = []
    public internal(set) var health: [NodeHealth]
    public var faults: [Fault] = []
    /// Deployments, StatefulSets and DaemonSets, their pods (replacements are appended), and the
    /// budgets that guard them.
    public let workloads: [Workload]
    public let budgets: [PodDisruptionBudget]
    public var pods: [Pod] = []
    /// Per workload: the budgets whose selector matches its pods' labels (a pod's labels are its
    /// template's, so this never changes), and per budget the workloads it selects.
    public let budgetsOfWorkload: [[Int]]
    public let workloadsOfBudget: [[Int]]
    /// Per workload, per node: its pods' static constraints allow the node (nodes' labels and taints
    /// do not change during a run), and how many pods it has had (its next pod's serial).
    public let workloadEligible: [[Bool]]
    public internal(set) var podsCreated: [Int]

    // Derived indexes.
    /// Per node: a worker that is not cordoned, tainted or down (the scheduler's first filter, kept flat for speed).
    public internal(set) var acceptsVMs: [Bool]
    public let placement: PlacementTables
    /// Per anti-affinity term, per topology domain: pods of VMs it selects, and of VMs that carry it.
    public internal(set) var membersInDomain: [[Int32]]
    public internal(set) var ownersInDomain: [[Int32]]
    /// Per node allocatable CPU and memory, flat for the scheduler's loop (nodes never resize).
    public let allocatableCPUMillis: [Int64]
    public let allocatableMemoryBytes: [Int64]
    public internal(set) var cpuRequestedMillis: [Int64]
    /// Free CPU and memory of the nodes that accept VMs, as a tree the scheduler searches; nil on
    /// clusters small enough that scoring every node costs less than keeping the tree.
    public internal(set) var freeTree: NodeFreeTree?
    public internal(set) var memoryRequestedBytes: [Int64]
    /// Launcher pods bound to each node (running or starting).
    public internal(set) var launchers: [[VMID]]
    /// Workload pods bound to each node, and how many of them a drain evicts (all but DaemonSets').
    public internal(set) var workloadPods: [[PodID]]
    public internal(set) var evictableWorkloadPods: [Int]
    /// Workload pods waiting for a node, in creation order.
    public internal(set) var pendingPods: [PodID] = []
    /// Migration target pods bound to each node.
    public internal(set) var migrationTargets: [[MigrationID]]
    /// Completed source pods left behind by successful migrations, until deleted.
    public internal(set) var completedSourcePods: [[VMID]]
    /// Migrations in Scheduling, Scheduled or Running: the cluster-wide limit's count.
    public internal(set) var migrationsInFlight = 0
    /// The same, per source node: the outbound limit's count.
    public internal(set) var outboundInFlight: [Int]
    /// Migrations in Pending, in creation order.
    public var pendingMigrations: [MigrationID] = []
    /// Migrations in Running (transferring), in start order.
    public var transfers: [MigrationID] = []
    /// VMIs whose launcher pod waits for a node, in creation order (writers in ClusterState+Placement.swift).
    public internal(set) var unscheduledVMIs: [VMID] = []
    /// A lower bound on the requests of the waiting launchers, and how many of them must be tried
    /// whenever any pod leaves (they depend on pods elsewhere): what lets a freed node be ruled out at once.
    var smallestWaitingCPUMillis = Int64.max
    var smallestWaitingMemoryBytes = Int64.max
    var waitingOnOtherPods = 0
    /// Nodes where a pod may fit that did not fit before — a pod left, or the node accepts VMs
    /// again — since the waiting VMIs were last tried (`takeNodesFreed`). Nothing else makes room.
    var nodesFreed: [NodeID] = []
    var isFreed: [Bool]
    /// The drain running on each node, if any.
    public var activeDrain: [DrainID?]
    /// Per claim: the node a non-shared (ReadWriteOnce) volume is attached to, and when a pending
    /// force-detach completes (nil: attached until its pod goes).
    public internal(set) var claimAttachedTo: [NodeID?]
    public internal(set) var claimDetachAt: [SimTime?]
    /// Per claim: the VM whose pod the attachment is for (pods on the same node share it).
    public internal(set) var claimHolder: [VMID?]
    /// Per claim: the VMs whose volumes use it (from the specs).
    public let claimUsers: [[VMID]]
    /// Per VM: its virt-launcher pod's requests, flat for the scheduler (specs never change during a run).
    public let launcherCPURequestMillis: [Int64]
    public let launcherMemoryRequestBytes: [Int64]
    /// Per VM: its claims that attach to one node at a time (specs never change during a run).
    public let exclusiveClaimsOfVM: [[ClaimID]]
    /// Per VM: it has a ReadWriteOncePod claim (the scheduler's volume-restrictions filter applies).
    public let usesReadWriteOncePod: [Bool]

    public init(
        config: ClusterConfig, nodes: [Node], claims: [PersistentVolumeClaim], vms: [VirtualMachine],
        workloads: [Workload] = [], budgets: [PodDisruptionBudget] = []
    ) {
        self.config = config
        let workers = nodes.filter { $0.role == .worker }.count
        // HCO: LiveMigrate when the cluster has two or more workers, None on single-node clusters.
        clusterEvictionStrategy = config.evictionStrategy ?? (workers >= 2 ? .LiveMigrate : .None)
        self.nodes = nodes
        self.claims = claims
        self.vms = vms
        self.workloads = workloads
        self.budgets = budgets
        budgetsOfWorkload = workloads.map { w in budgets.indices.filter { budgets[$0].selects(w) } }
        workloadsOfBudget = budgets.map { b in workloads.indices.filter { b.selects(workloads[$0]) } }
        workloadEligible = workloads.map { w in nodes.map(w.allows) }
        podsCreated = Array(repeating: 0, count: workloads.count)
        workloadPods = Array(repeating: [], count: nodes.count)
        evictableWorkloadPods = Array(repeating: 0, count: nodes.count)
        vmStatus = vms.map { VMStatus(runStrategy: $0.runStrategy) }
        liveMigratable = vms.map { $0.liveMigratable(claims: claims) }
        liveMigratableVM = liveMigratable.map(\.isMigratable)
        evictionStrategyOfVM = vms.map { [clusterEvictionStrategy] in $0.evictionStrategy ?? clusterEvictionStrategy }
        migrationSettings = vms.map {
            MigrationSettings(cluster: config.liveMigration, policies: config.migrationPolicies, vmLabels: $0.labels)
        }
        health = Array(repeating: NodeHealth(), count: nodes.count)
        acceptsVMs = nodes.map { $0.role == .worker && !$0.unschedulable }
        isFreed = Array(repeating: false, count: nodes.count)
        placement = PlacementTables(nodes: nodes, vms: vms, claims: claims)
        membersInDomain = placement.domainCount.map { Array(repeating: 0, count: $0) }
        ownersInDomain = membersInDomain
        allocatableCPUMillis = nodes.map(\.cpuMillis)
        allocatableMemoryBytes = nodes.map(\.memoryBytes)
        cpuRequestedMillis = Array(repeating: 0, count: nodes.count)
        freeTree = nodes.count < 64 ? nil : NodeFreeTree(cpuMillis: nodes.map(\.cpuMillis), memoryBytes: nodes.map(\.memoryBytes))
        memoryRequestedBytes = Array(repeating: 0, count: nodes.count)
        launchers = Array(repeating: [], count: nodes.count)
        migrationTargets = Array(repeating: [], count: nodes.count)
        completedSourcePods = Array(repeating: [], count: nodes.count)
        outboundInFlight = Array(repeating: 0, count: nodes.count)
        activeDrain = Array(repeating: nil, count: nodes.count)
        claimAttachedTo = Array(repeating: nil, count: claims.count)
        claimDetachAt = Array(repeating: nil, count: claims.count)
        claimHolder = Array(repeating: nil, count: claims.count)
        var users = Array(repeating: [VMID](), count: claims.count)
        var rwop = Array(repeating: false, count: vms.count)
        for (i, vm) in vms.enumerated() {
            for c in vm.claims where users[c.i].last != VMID(i) {
                users[c.i].append(VMID(i))
                if claims[c.i].onePodOnly { rwop[i] = true }
            }
        }
        claimUsers = users
        usesReadWriteOncePod = rwop
        launcherCPURequestMillis = vms.map(\.launcherCPURequestMillis)
        launcherMemoryRequestBytes = vms.map(\.launcherMemoryRequestBytes)
        exclusiveClaimsOfVM = vms.map { $0.claims.filter { claims[$0.i].attachesToOneNode } }
        for i in nodes.indices { resourcesChanged(NodeID(i)) }
    }

    /// Cordons or uncordons a node (`spec.unschedulable`).
    public mutating func setUnschedulable(_ node: NodeID, _ value: Bool) {
        nodes[node.i].unschedulable = value
        refreshAcceptsVMs(node)
    }

    /// Changes a node's health (taints, labels, power) and keeps the scheduler's filter in step.
    public mutating func updateHealth(_ node: NodeID, _ change: (inout NodeHealth) -> Void) {
        change(&health[node.i])
        refreshAcceptsVMs(node)
    }

    mutating func refreshAcceptsVMs(_ node: NodeID) {
        let accepts = nodes[node.i].role == .worker && !nodes[node.i].unschedulable && health[node.i].acceptsPods
        if accepts && !acceptsVMs[node.i] { freed(node) }
        acceptsVMs[node.i] = accepts
        resourcesChanged(node)
    }

    public func evictionStrategy(of vm: VMID) -> EvictionStrategy { evictionStrategyOfVM[vm.i] }

    public func freeCPUMillis(_ n: NodeID) -> Int64 { allocatableCPUMillis[n.i] - cpuRequestedMillis[n.i] }
    public func freeMemoryBytes(_ n: NodeID) -> Int64 { allocatableMemoryBytes[n.i] - memoryRequestedBytes[n.i] }
    /// The CPU model a guest starting on `node` gets: its own, or with host-model (the default) the
    /// node's, which it then keeps wherever it migrates.
    public func guestCPUModel(of vm: VMID, on node: NodeID) -> String? { vms[vm.i].cpuModel ?? nodes[node.i].cpuModel }

    /// The node has room for these requests (kube-scheduler's NodeResourcesFit filter).
    public func hasRoom(_ cpuMillis: Int64, _ memoryBytes: Int64, on n: NodeID) -> Bool {
        freeCPUMillis(n) >= cpuMillis && freeMemoryBytes(n) >= memoryBytes
    }

    /// What the report calls a pod: the VM's name for its pods, the workload pod's own name.
    public func name(of pod: PodRef) -> String {
        switch pod {
        case .vm(let vm): return vms[vm.i].name
        case .workload(let p): return pods[p.i].name
        }
    }

    /// A migration's object name (`kubevirt-evacuation-db-1`).
    public func name(of m: MigrationID) -> String { name(of: migrations[m.i]) }
    public func name(of m: VirtualMachineInstanceMigration) -> String { m.name(vmName: vms[m.vm.i].name) }

    /// A drain evicts every workload pod but a DaemonSet's (`--ignore-daemonsets`, as NMO does).
    public func isEvictable(_ p: PodID) -> Bool { workloads[pods[p.i].workload.i].kind != .DaemonSet }

    /// The node's pods a drain evicts. (A closure, not `isEvictable` itself: a method reference
    /// would copy the whole state on every call, and drains ask every 5 s.)
    public func evictablePods(on n: NodeID) -> [PodID] {
        if evictableWorkloadPods[n.i] == 0 { return [] }
        return workloadPods[n.i].filter { workloads[pods[$0.i].workload.i].kind != .DaemonSet }
    }

    /// Pods on the node that a drain must see gone.
    public func podCount(on n: NodeID) -> Int {
        launchers[n.i].count + migrationTargets[n.i].count + completedSourcePods[n.i].count + evictableWorkloadPods[n.i]
    }
}
