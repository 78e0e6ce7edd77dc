import ClusterModel
import SimKernel

/// One action on the timeline, as an administrator or the guest would do it.
public enum TimelineAction: Equatable, Sendable {
    case createNodeMaintenance(node: NodeID, name: String, reason: String)
    case deleteNodeMaintenance(node: NodeID)
    case cordon(NodeID)
    case uncordon(NodeID)
    case drain(NodeID, timeout: SimDuration?)
    case start(VMID)
    case stop(VMID)
    case restart(VMID)
    case migrate(VMID)
    case guestShutdown(VMID)
    case guestCrash(VMID)
    case rollingMaintenance(RollingMaintenance)
    /// The node stops at once; with `rebootAfter` it comes back by itself (kdump and reboot).
    case kernelPanic(NodeID, rebootAfter: SimDuration?)
    /// The nodes lose power; with `restoreAfter` it returns and they boot (their bootTime).
    case powerLoss([NodeID], restoreAfter: SimDuration?)
    /// The node's NIC on one network fails; with `duration` it heals by itself.
    case nicFault(NodeID, NodeNetwork, duration: SimDuration?)
    /// The node (or its NIC) is fixed: Ready again.
    case repair(NodeID)
    /// An administrator force-deletes the node's pods.
    case forceDeletePods(NodeID)
    /// An administrator taints the node `node.kubernetes.io/out-of-service`.
    case outOfServiceTaint(NodeID)
    /// KubeVirt is upgraded: every running virt-launcher is outdated and the workload updater acts (R8).
    case workloadUpdate(WorkloadUpdate)
}

/// HCO's `workloadUpdateStrategy`: methods and eviction batches (reference §8).
public struct WorkloadUpdate: Equatable, Sendable {
    public var liveMigrate: Bool
    public var evict: Bool
    public var batchEvictionSize: Int
    public var batchEvictionInterval: SimDuration
}

/// An upgrade's walk over a set of nodes: at most `maxUnavailable` in maintenance at once; each node
/// stays `maintenanceDuration` after its drain finishes (OS update, reboot), then its CR is deleted.
public struct RollingMaintenance: Equatable, Sendable {
    public var nodes: [NodeID]
    public var maxUnavailable: Int
    public var maintenanceDuration: SimDuration
    public var reason: String
}

public struct TimelineEvent: Equatable, Sendable {
    public var at: SimTime
    public var action: TimelineAction
    /// Where it was written, for messages.
    public var line: Int
}

/// A random failure process: each unit (a node, or every node of one failure domain) fails after a
/// time drawn from `timeBetweenFailures`, is repaired after one drawn from `timeToRepair`, and so on.
public struct FailureProcess: Equatable, Sendable {
    public var name: String
    public var kind: FaultKind
    /// The nodes that fail together, one list per unit.
    public var units: [[NodeID]]
    /// A name per unit (the node, or the failure domain's label value) for its random stream.
    public var unitNames: [String]
    public var timeBetweenFailures: Distribution
    /// From the fault until the node is Ready again (or its NIC repaired).
    public var timeToRepair: Distribution
}

/// A per-VM assertion.
public struct VMExpectation: Equatable, Sendable {
    public var vm: VMID
    public var migrated: Bool?
    public var downAtEnd: Bool?
    public var maxDowntime: SimDuration?
    public var finalNode: NodeID?
}

/// Assertions on a run's outcome; a failed one makes `drainsim run` exit 1.
public enum Expectation: Equatable, Sendable {
    case maxDowntime(SimDuration)
    case maxTotalDowntime(SimDuration)
    case maxVMsWithDowntime(Int)
    case maxVMsDownAtEnd(Int)
    case maxVMsWithOutage(Int)
    case blockedDrains(Int)
    case maxPendingMigrationsAtEnd(Int)
    case maintenanceWithin(SimDuration)
    case maxFailedMigrations(Int)
    case maxSafetyFindings(Int)
    case vm(VMExpectation)
}

/// A scenario file, read and checked: the initial cluster, the timeline, the expectations.
public struct Scenario: Sendable {
    public var name: String
    public var file: String
    public var description: String
    public var seed: UInt64
    public var stopAt: SimTime?
    public var state: ClusterState
    public var timeline: [TimelineEvent]
    public var failures: [FailureProcess] = []
    public var expectations: [Expectation]
    /// How much each metric may worsen against the accepted outcome before `drainsim check` fails
    /// (absent: not at all).
    public var tolerances: [Metric: Tolerance] = [:]
    /// A sweep the scenario asks for: runs, and settings to vary (each path with its values).
    public var sweepRuns: Int?
    public var sweepSettings: [(path: String, values: [String])] = []
    /// Where each VM was declared, for errors found after loading (the time-zero placement).
    /// Where each `vms` entry was declared, with the first VM it stamped.
    public var vmLocations: [(firstVM: Int, location: ScenarioLocation)] = []
    public var workloadLocations: [ScenarioLocation] = []
    /// Where the scheduler placed each VM and workload pod at time zero, found when the scenario was
    /// checked on loading: the run places them there again without searching (the same choices).
    public var timeZeroPlacement: TimeZeroPlacement?
}

extension Scenario {
    /// Where VM `vm` was declared (its `vms` entry), for errors found after loading.
    public func location(of vm: VMID) -> ScenarioLocation? {
        vmLocations.last { $0.firstVM <= vm.i }?.location
    }
}

/// The time-zero nodes of the VMs (by VM) and of the workload pods (by pod, in creation order).
public struct TimeZeroPlacement: Sendable {
    public var vmNodes: [NodeID?]
    public var podNodes: [NodeID?]
    public init(vmNodes: [NodeID?], podNodes: [NodeID?]) {
        self.vmNodes = vmNodes
        self.podNodes = podNodes
    }
}

/// A place in a scenario file, to name in an error.
public struct ScenarioLocation: Equatable, Sendable {
    public var file: String
    public var line: Int
    public var column: Int
    public var field: String

    public init(file: String, line: Int, column: Int, field: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
    }

    public func error(_ message: String) -> ScenarioError {
        ScenarioError(file: file, line: line, column: column, field: field, message: message)
    }
}

/// A metric's allowed worsening: an amount in its unit (ms or a count), or a percentage of the accepted value.
public enum Tolerance: Equatable, Sendable {
    case absolute(Int64)
    case relative(percent: Int64)

    /// Whether going from `old` to `new` (both ≥ 0) stays within the tolerance; never overflows.
    public func allows(from old: Int64, to new: Int64) -> Bool {
        if new <= old { return true }
        let (worse, overflow) = new.subtractingReportingOverflow(old)
        if overflow { return false }
        switch self {
        case .absolute(let a): return worse <= a
        case .relative(let p): return old >= 0 && worse <= Int64.mulDiv(old, p, 100)
        }
    }

    public var description: String {
        switch self {
        case .absolute(let a): return "\(a)"
        case .relative(let p): return "\(p)%"
        }
    }
}
