import SimKernel

/// A node's Ready condition as the API server shows it (reference §7.1).
public enum ReadyStatus: String, Sendable, Codable {
    case True, Unknown
}

/// What happens to a node beyond its spec: whether the machine runs, whether the control plane hears
/// it, and the taints and labels that failure handling puts on it.
public struct NodeHealth: Equatable, Sendable, Codable {
    /// The machine executes its VMs (false after a kernel panic or power loss, until it is back).
    public var running = true
    /// The kubelet's heartbeats reach the control plane.
    public var reachable = true
    public var ready = ReadyStatus.True
    public var readySince = SimTime.zero
    /// `node.kubernetes.io/unreachable` NoSchedule and NoExecute taints.
    public var unreachableTaint = false
    /// `kubevirt.io/schedulable`: set false by virt-controller when virt-handler's heartbeat is stale.
    public var kubevirtSchedulable = true
    /// `node.kubernetes.io/out-of-service=nodeshutdown:NoExecute`.
    public var outOfService = false
    /// The NoSchedule (SNR) or NoExecute (FAR) taint of a remediation under way.
    public var remediationTaint = false
    /// The fault the node is in, if any.
    public var fault: FaultID?
    /// The dedicated migration network (or storage network) of the node is cut.
    public var migrationNetworkDown = false
    public var storageNetworkDown = false

    public init() {}

    /// Whether new launcher pods may be scheduled here, apart from cordon and capacity.
    public var acceptsPods: Bool { !unreachableTaint && kubevirtSchedulable && !outOfService && !remediationTaint && running }
}

public struct FaultID: Hashable, Comparable, Sendable, Codable {
    public let index: Int32
    public init(_ index: Int) { self.index = Int32(index) }
    public var i: Int { Int(index) }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}

/// Which of a node's networks a NIC fault cuts.
public enum NodeNetwork: String, Sendable, Codable, CaseIterable {
    /// The node's only path to the control plane: unreachable, but its VMs keep running.
    case primary
    /// A dedicated migration network: migrations to or from the node stall.
    case migration
    /// The storage network: VMs with network disks pause on I/O.
    case storage
}

/// What went wrong with a node.
public enum FaultKind: Equatable, Sendable, Codable {
    case kernelPanic
    case powerLoss
    case nicFault(NodeNetwork)

    public var description: String {
        switch self {
        case .kernelPanic: return "kernel panic"
        case .powerLoss: return "power loss"
        case .nicFault(let n): return "\(n.rawValue) NIC fault"
        }
    }

    /// The machine stops: its VMs die at once.
    public var stopsTheNode: Bool {
        switch self {
        case .kernelPanic, .powerLoss: return true
        case .nicFault: return false
        }
    }
}

/// One fault of one node and how the cluster handled it, for the report.
public struct Fault: Equatable, Sendable, Codable {
    public var kind: FaultKind
    public var node: NodeID
    public var at: SimTime
    /// Ready became Unknown (node-monitor grace period).
    public var detectedAt: SimTime?
    /// The taint manager deleted the node's pods (they stay Terminating on a dead node).
    public var podsMarkedForDeletionAt: SimTime?
    /// virt-controller set kubevirt.io/schedulable=false (stale virt-handler heartbeat).
    public var kubevirtUnschedulableAt: SimTime?
    /// The health check declared the node unhealthy and started remediation.
    public var remediationStartedAt: SimTime?
    /// The node was fenced (powered off, or rebooted by itself) — its VMs are certainly dead.
    public var fencedAt: SimTime?
    /// The pods' objects were deleted (remediation, out-of-service taint or an administrator).
    public var podsDeletedAt: SimTime?
    /// The node rebooted itself (SNR on an isolated node) or was power-cycled: its VMs died then.
    public var rebootedAt: SimTime?
    /// The node came back Ready (or, for a NIC fault, the network was repaired).
    public var repairedAt: SimTime?
    /// VMs that were on the node when it failed.
    public var vms: [VMID] = []
    /// Why remediation did not act, if it did not.
    public var remediationSkipped: String?

    public init(kind: FaultKind, node: NodeID, at: SimTime) {
        self.kind = kind
        self.node = node
        self.at = at
    }
}
