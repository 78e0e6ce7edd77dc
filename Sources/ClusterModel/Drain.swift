import SimKernel

public enum DrainMethod: Equatable, Sendable, Codable {
    /// A `NodeMaintenance` CR (medik8s node-maintenance-operator).
    case nodeMaintenance(name: String, reason: String)
    /// `oc adm drain` with an optional `--timeout` (default: wait forever).
    case ocAdmDrain(timeout: SimDuration?)
}

/// NodeMaintenance `status.phase`; an `oc adm drain` uses the same words.
public enum DrainPhase: String, Sendable, Codable, CaseIterable {
    case Running, Succeeded, Failed
    /// The CR was deleted (or the drain stopped) before it finished.
    case Cancelled

    public func canTransition(to next: DrainPhase) -> Bool { self == .Running && next != .Running }
}

/// A pod on a node being drained: a VM's (its launcher, migration target or completed source pod)
/// or a workload's. VMs' pods sort first.
public enum PodRef: Hashable, Comparable, Sendable, Codable {
    case vm(VMID)
    case workload(PodID)
}

/// A pod that keeps a drain from finishing, and why.
public struct Blocker: Equatable, Sendable, Codable {
    public var pod: PodRef
    public var reason: String
    public init(pod: PodRef, reason: String) {
        self.pod = pod
        self.reason = reason
    }
}

/// A stretch of a drain during which the Eviction API refused a pod for a PodDisruptionBudget.
public struct BudgetHold: Equatable, Sendable, Codable {
    /// Index into ClusterState.budgets.
    public var budget: Int
    public var from: SimTime
    /// When an eviction under the budget went through; nil while it still holds.
    public var until: SimTime?

    public init(budget: Int, from: SimTime, until: SimTime?) {
        self.budget = budget
        self.from = from
        self.until = until
    }
}

/// One drain of one node, by a NodeMaintenance or by `oc adm drain`.
public struct Drain: Equatable, Sendable, Codable {
    public var method: DrainMethod
    public var node: NodeID
    public var requestedAt: SimTime
    public private(set) var phase: DrainPhase = .Running
    /// When the last pod left (Succeeded) or the drain gave up.
    public private(set) var finishedAt: SimTime?
    /// NodeMaintenance deleted / node uncordoned.
    public var endedAt: SimTime?
    /// Pods to evict when the drain started (NMO `evictionPods`).
    public var evictionPods = 0
    public var pendingPods: [PodRef] = []
    /// NMO `drainProgress`: (evictionPods − pending) · 100 / evictionPods.
    public var drainProgress = 0
    public var lastError: String?
    /// Latest reason per blocking VM, sorted by VM.
    public var blockers: [Blocker] = []
    /// Each time its evictions waited on a budget, in order.
    public var budgetHolds: [BudgetHold] = []
    /// Start of the current NMO drain attempt (each is bounded by 30 s).
    public var attemptStartedAt: SimTime

    public init(method: DrainMethod, node: NodeID, requestedAt: SimTime) {
        self.method = method
        self.node = node
        self.requestedAt = requestedAt
        self.attemptStartedAt = requestedAt
    }

    public var isNodeMaintenance: Bool {
        if case .nodeMaintenance = method { return true }
        return false
    }

    /// The Eviction API refused a pod for `budget` now (a hold opens unless one is open).
    public mutating func heldByBudget(_ budget: Int, at now: SimTime) {
        if !budgetHolds.contains(where: { $0.budget == budget && $0.until == nil }) {
            budgetHolds.append(BudgetHold(budget: budget, from: now, until: nil))
        }
    }

    /// An eviction under `budget` went through: its open hold ends.
    public mutating func releasedByBudget(_ budget: Int, at now: SimTime) {
        if let k = budgetHolds.firstIndex(where: { $0.budget == budget && $0.until == nil }) { budgetHolds[k].until = now }
    }

    public mutating func transition(to next: DrainPhase, at now: SimTime) {
        precondition(phase.canTransition(to: next), "drain phase \(phase) -> \(next) is not an edge")
        phase = next
        finishedAt = now
    }
}
