import SimKernel

/// VMI phases the model distinguishes.
///
/// Pending: the launcher pod waits for a node. Scheduled: the pod is bound and starting.
public enum VMIPhase: String, Sendable, Codable, CaseIterable {
    case Pending, Scheduled, Running, Succeeded, Failed

    public var isFinal: Bool { self == .Succeeded || self == .Failed }

    /// The edges of the VMI lifecycle; any non-final phase may end.
    public func canTransition(to next: VMIPhase) -> Bool {
        switch (self, next) {
        case (.Pending, .Scheduled), (.Scheduled, .Running): return true
        case (.Pending, .Succeeded), (.Pending, .Failed): return true
        case (.Scheduled, .Succeeded), (.Scheduled, .Failed): return true
        case (.Running, .Succeeded), (.Running, .Failed): return true
        default: return false
        }
    }
}

/// A VirtualMachineInstance: one run of a VM, from creation to a final phase.
public struct VirtualMachineInstance: Equatable, Sendable, Codable {
    public private(set) var phase: VMIPhase
    public private(set) var phaseSince: SimTime
    /// Node of the launcher pod, once bound.
    public var node: NodeID?
    public var createdAt: SimTime
    public private(set) var everRunning = false
    /// `status.evacuationNodeName`, set by the eviction webhook (R4).
    public var evacuationNodeName: NodeID?
    /// The launcher pod is being deleted gracefully (ACPI shutdown under way).
    public var terminating = false
    /// The unfinished VirtualMachineInstanceMigration of this VMI, if any.
    public var migration: MigrationID?
    /// Why the launcher pod cannot be placed, while Pending.
    public var unschedulableReason: String?
    /// The storage-network fault whose I/O errors paused this VMI's guest; it resumes at that
    /// fault's repair, wherever the VMI has migrated meanwhile (QEMU carries the paused state).
    public var ioPausedBy: FaultID?
    /// The guest's CPU model, fixed when it starts: a named model, or with host-model the host model
    /// of the node it started on. A migration target must run it (the target pod's node selector).
    public var cpuModel: String?

    public init(createdAt: SimTime) {
        phase = .Pending
        phaseSince = createdAt
        self.createdAt = createdAt
    }

    /// The one writer of `phase`: checks the edge and records when.
    public mutating func transition(to next: VMIPhase, at now: SimTime) {
        precondition(phase.canTransition(to: next), "VMI phase \(phase) -> \(next) is not an edge")
        phase = next
        phaseSince = now
        if next == .Running { everRunning = true }
    }
}

/// What changes about a VM during a run.
public struct VMStatus: Equatable, Sendable, Codable {
    /// The run strategy in force: virtctl start and stop rewrite it (reference §1.5).
    public var runStrategy: RunStrategy
    public var vmi: VirtualMachineInstance?
    /// The guest answers: launcher Running and the boot finished.
    public var guestUp = false
    /// Consecutive VMIs that ended without ever reaching Running (crash-loop backoff).
    public var startFailures = 0
    /// Bumped whenever a VMI is created or deleted, so timers of an older VMI are ignored.
    public var generation: UInt32 = 0
    /// A virtctl start that waits for the old VMI to go (stop+start pair).
    public var startRequested = false
    /// Its virt-launcher predates a KubeVirt upgrade: the workload updater wants it moved or restarted.
    public var outdated = false
    /// A virtctl stop (or restart) is under way: the VMI's end is not a failure to recover from.
    public var stopRequested = false
    /// Consecutive failed evacuation migrations since the last success, and when the last one failed
    /// (the retry backoff of reference §4.5).
    public var evacuationFailures = 0
    public var lastEvacuationFailureAt: SimTime?

    public init(runStrategy: RunStrategy) { self.runStrategy = runStrategy }
}
