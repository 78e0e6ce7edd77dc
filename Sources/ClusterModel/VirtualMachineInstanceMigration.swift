import SimKernel

/// VirtualMachineInstanceMigration phases (reference §4.1; PreparingTarget and TargetReady are folded into Scheduled).
public enum MigrationPhase: String, Sendable, Codable, CaseIterable {
    case Pending, Scheduling, Scheduled, Running, Succeeded, Failed

    public var isFinal: Bool { self == .Succeeded || self == .Failed }
    /// KubeVirt's `IsRunning()`: these count toward the parallel-migration limits.
    public var countsTowardLimits: Bool { self == .Scheduling || self == .Scheduled || self == .Running }

    public func canTransition(to next: MigrationPhase) -> Bool {
        switch (self, next) {
        case (.Pending, .Scheduling), (.Scheduling, .Scheduled), (.Scheduled, .Running), (.Running, .Succeeded):
            return true
        case (let from, .Failed): return !from.isFinal
        default: return false
        }
    }
}

public enum MigrationTrigger: Equatable, Sendable, Codable {
    /// Created by the evacuation controller for a VMI marked by the eviction webhook.
    case evacuation(NodeID)
    /// `virtctl migrate`.
    case manual
    /// The workload updater moves a VMI off an outdated virt-launcher after a KubeVirt upgrade (R8).
    case workloadUpdate

    /// KubeVirt priorities: system-critical 100 for evacuations and workload updates, 0 for users'.
    public var priority: Int {
        switch self {
        case .evacuation, .workloadUpdate: return 100
        case .manual: return 0
        }
    }

}

/// Pre-copy progress of a Running migration.
public struct TransferState: Equatable, Sendable, Codable {
    public var dataBytes: Int64
    public var startedAt: SimTime
    /// Rounds end between milliseconds: their exact times are kept in microseconds so each round
    /// starts where the last really ended (events fire at the next whole millisecond), and the rounds
    /// follow the continuous recurrence instead of gaining up to 1 ms each.
    public var roundStartedAtMicros: Int64
    /// Bytes of the current round still to send, as of `updatedAtMicros`.
    public var roundBytesLeft: Int64
    public var updatedAtMicros: Int64
    /// Bytes per second this migration gets now.
    public var bandwidthBytesPerSecond: Int64
    /// Since when no byte has flowed (bandwidth 0), for the progress timeout; nil while bytes flow.
    public var stalledSince: SimTime?
    public var rounds = 1
    public var bytesSent: Int64 = 0
    /// Auto-converge: the vCPU throttle in force (percent), the count of high-dirty periods since it
    /// last changed, and the period being measured (from the last evaluated bitmap sync).
    public var throttlePercent = 0
    public var highDirtyPeriods = 0
    public var periodStartedAtMicros: Int64
    public var periodStartBytesSent: Int64 = 0
    public var periodDirtiedBytes: Int64 = 0
    /// The last round (stop-and-copy) or post-copy is under way: the outcome is fixed.
    public var switchingOver = false

    /// Accounts for what was sent at the current bandwidth since the last update.
    public mutating func settle(at now: SimTime) {
        let t = now.milliseconds * 1000
        guard t > updatedAtMicros else { return }
        let sent = min(roundBytesLeft, Int64.mulDiv(bandwidthBytesPerSecond, t - updatedAtMicros, 1_000_000))
        roundBytesLeft -= sent
        bytesSent += sent
        updatedAtMicros = t
    }

    /// When the current round's bytes are all sent at the current bandwidth (which must not be 0).
    public var roundEndMicros: Int64 {
        updatedAtMicros + Int64.mulDiv(roundBytesLeft, 1_000_000, bandwidthBytesPerSecond, roundingUp: true)
    }

    public init(dataBytes: Int64, firstRoundBytes: Int64, at now: SimTime, bandwidth: Int64) {
        self.dataBytes = dataBytes
        startedAt = now
        periodStartedAtMicros = now.milliseconds * 1000
        roundStartedAtMicros = now.milliseconds * 1000
        roundBytesLeft = firstRoundBytes
        updatedAtMicros = now.milliseconds * 1000
        bandwidthBytesPerSecond = bandwidth
        stalledSince = bandwidth == 0 ? now : nil
    }
}

/// A VirtualMachineInstanceMigration.
public struct VirtualMachineInstanceMigration: Equatable, Sendable, Codable {
    /// The VM's n-th migration (from 1): with the trigger and the VM's name it makes the object's
    /// name (`ClusterState.name(of:)`), derived when printed rather than kept as a string per migration.
    public var ordinal: Int32
    public var vm: VMID
    public var trigger: MigrationTrigger
    public private(set) var phase: MigrationPhase = .Pending
    public private(set) var phaseSince: SimTime
    public var createdAt: SimTime
    public var source: NodeID
    public var target: NodeID?
    /// Evacuation retry backoff: stays Pending until then (reference §4.5).
    public var holdUntil: SimTime
    /// Without the priority queue (KubeVirt ≤ 1.8): a Pending migration turned away by a limit is
    /// looked at again only at this time (5 s later), not when a slot frees.
    public var recheckAt: SimTime?
    public var transfer: TransferState?
    /// Stop-and-copy pause of a successful migration.
    public var pause: SimDuration?
    public var failureReason: String?
    /// Why it is not progressing (Pending on limits, Scheduling on capacity); filled in when the
    /// target pod is unschedulable and, for Pending ones, when the run ends.
    public var waitingReason: String?
    /// Created after an earlier evacuation migration of the same VMI failed.
    public var isRetry = false
    /// Switched to post-copy after the completion timeout (allowPostCopy): the guest runs on the target
    /// while its memory follows, degraded, until the migration ends.
    public var postCopy = false
    public var postCopyStartedAt: SimTime?
    /// allowWorkloadDisruption without post-copy: the guest's vCPUs were paused at the completion
    /// timeout so the copy can converge.
    public var guestPausedAt: SimTime?
    /// The stop-and-copy paused a serving guest: its outage closes at the handover, or when the
    /// migration fails and the guest resumes on its source.
    public var stopAndCopyPausedGuest = false
    public var endedAt: SimTime?
    /// When it left Pending (Scheduling), for the timeline's count of migrations by phase.
    public private(set) var schedulingAt: SimTime?
    /// When it began Running: its transfer started then.
    public var runningAt: SimTime? { transfer?.startedAt }

    /// This migration holds its guest paused (stop-and-copy, or workload disruption): the guest serves
    /// again at the handover, or on its source if the migration fails.
    public var pausesGuest: Bool { guestPausedAt != nil || stopAndCopyPausedGuest }

    public init(ordinal: Int32, vm: VMID, trigger: MigrationTrigger, source: NodeID, createdAt: SimTime, holdUntil: SimTime) {
        self.ordinal = ordinal
        self.vm = vm
        self.trigger = trigger
        self.source = source
        self.createdAt = createdAt
        self.phaseSince = createdAt
        self.holdUntil = holdUntil
    }

    public var priority: Int { trigger.priority }

    /// The name KubeVirt's controllers give the object: `kubevirt-evacuation-db-1`,
    /// `kubevirt-workload-update-db-2`, `migrate-db-3` for `virtctl migrate` (drainsim's choice; virtctl's
    /// is random); in the VM's namespace: `finance/kubevirt-evacuation-db-1` for `finance/db`.
    public func name(vmName full: String) -> String {
        let prefix: String
        switch trigger {
        case .manual: prefix = "migrate"
        case .evacuation: prefix = "kubevirt-evacuation"
        case .workloadUpdate: prefix = "kubevirt-workload-update"
        }
        // Appended piece by piece: the trace and the JSON report ask for it once per line.
        var out = ""
        out.reserveCapacity(full.utf8.count + prefix.utf8.count + 12)
        if let slash = full.utf8.firstIndex(of: UInt8(ascii: "/")) {
            out += full[...slash]
            out += prefix
            out += "-"
            out += full[full.utf8.index(after: slash)...]
        } else {
            out += prefix
            out += "-"
            out += full
        }
        out += "-"
        out += String(ordinal)
        return out
    }

    public mutating func transition(to next: MigrationPhase, at now: SimTime) {
        precondition(phase.canTransition(to: next), "migration phase \(phase) -> \(next) is not an edge")
        phase = next
        phaseSince = now
        switch next {
        case .Scheduling: schedulingAt = now
        case .Succeeded, .Failed: endedAt = now
        case .Pending, .Scheduled, .Running: break
        }
    }
}
