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

/// A VM that keeps a drain from finishing, and why.
public struct Blocker: Equatable, Sendable, Codable {
    public var vm: VMID
    public var reason: String
    public init(vm: VMID, reason: String) {
        self.vm = vm
        self.reason = reason
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
    public var pendingPods: [VMID] = []
    /// NMO `drainProgress`: (evictionPods − pending) · 100 / evictionPods.
    public var drainProgress = 0
    public var lastError: String?
    /// Latest reason per blocking VM, sorted by VM.
    public var blockers: [Blocker] = []
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

    public mutating func transition(to next: DrainPhase, at now: SimTime) {
        precondition(phase.canTransition(to: next), "drain phase \(phase) -> \(next) is not an edge")
        phase = next
        finishedAt = now
    }
}
