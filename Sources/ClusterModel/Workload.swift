import SimKernel

/// The controller that owns a workload's pods, and so what happens when one is evicted.
public enum WorkloadKind: String, Sendable, Codable, CaseIterable {
    /// A ReplicaSet replaces an evicted pod at once: a terminating pod no longer counts as a replica.
    case Deployment
    /// A pod keeps its identity: its replacement is created only once the old pod is gone.
    case StatefulSet
    /// One pod per eligible node; drains skip them (`--ignore-daemonsets`, as NMO does) and they stay.
    case DaemonSet
}

/// A Deployment, StatefulSet or DaemonSet: pods that are not VMs but share the nodes with them.
public struct Workload: Equatable, Sendable, Codable {
    public var name: String
    public var kind: WorkloadKind
    /// Desired pods (`spec.replicas`); for a DaemonSet, the nodes it runs on.
    public var replicas: Int
    public var cpuRequestMillis: Int64
    public var memoryRequestBytes: Int64
    /// The pod template's labels: what budgets and anti-affinity select.
    public var labels: [Label]
    public var nodeSelector: [Label] = []
    public var nodeAffinity: [NodeSelectorRequirement] = []
    public var tolerations: [Toleration] = []
    /// Required anti-affinity against other workload pods (VM pods are not counted).
    public var antiAffinity: [AntiAffinityTerm] = []
    /// From a pod bound to a node until it is Ready (image pull, start, readiness probe).
    public var startupTime: SimDuration = .seconds(10)
    /// A deleted pod is taken to use all of `terminationGracePeriodSeconds` (the worst case).
    public var terminationGracePeriod: SimDuration = .seconds(30)

    public init(name: String, kind: WorkloadKind, replicas: Int, cpuRequestMillis: Int64, memoryRequestBytes: Int64, labels: [Label]) {
        self.name = name
        self.kind = kind
        self.replicas = replicas
        self.cpuRequestMillis = cpuRequestMillis
        self.memoryRequestBytes = memoryRequestBytes
        self.labels = labels
    }

    /// A worker whose labels and taints its pods' nodeSelector, node affinity and tolerations allow
    /// (resources and anti-affinity aside; control-plane nodes carry the role taint).
    public func allows(_ node: Node) -> Bool {
        node.role == .worker
            && PlacementTables.allowed(nodeSelector: nodeSelector, nodeAffinity: nodeAffinity, tolerations: tolerations, on: node)
    }
}

/// One pod of a workload. `ready` is the pod's Ready condition as the API shows it.
public struct Pod: Equatable, Sendable, Codable {
    public var name: String
    public var workload: WorkloadID
    /// The node it is bound to; nil while Pending in the scheduler's queue.
    public var node: NodeID?
    public var createdAt: SimTime
    public var ready = false
    /// When it last became Ready; with its budgets' recoveryTime, when it counts as healthy again.
    public var readySince: SimTime?
    /// Deleted (evicted, or by failure handling) and waiting to be gone: `deletionTimestamp` set.
    public var terminating = false
    public var gone = false
    /// The scheduler's last reason while Pending.
    public var unschedulableReason: String?
    /// Bumped when its node fails or returns, so stale timers do nothing.
    public var generation: UInt32 = 0

    public init(name: String, workload: WorkloadID, createdAt: SimTime) {
        self.name = name
        self.workload = workload
        self.createdAt = createdAt
    }
}
