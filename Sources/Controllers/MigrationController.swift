import ClusterModel
import SimKernel

/// The rules of virt-controller's migration controller and the source's pre-copy monitor (R5, §4).
public enum MigrationController {
    /// What holds a Pending migration back (§4.3).
    public enum Hold: Equatable, Sendable {
        case backoff
        case clusterLimit
        case outboundLimit
        /// The source node is down or unreachable: no virt-handler there to migrate from.
        case sourceUnavailable
        /// KubeVirt ≤ 1.8: turned away by a limit earlier, it waits for its 5 s requeue.
        case recheck
    }

    /// KubeVirt ≤ 1.8 requeues a Pending migration held by a limit after this (migration.go,
    /// `handleTargetPodCreation`: `After: 5 * time.Second` when MigrationPriorityQueue is off).
    public static let pendingRecheck = SimDuration.seconds(5)

    /// What keeps a Pending migration from getting a target pod now, or nil when it can start.
    public static func hold(_ m: MigrationID, in state: borrowing ClusterState, now: SimTime) -> Hold? {
        let mig = state.migrations[m.i]
        let limits = state.config.liveMigration
        if mig.holdUntil > now { return .backoff }
        if !state.health[mig.source.i].running || !state.health[mig.source.i].reachable { return .sourceUnavailable }
        if state.migrationsInFlight >= limits.parallelMigrationsPerCluster { return .clusterLimit }
        if state.outboundInFlight[mig.source.i] >= limits.parallelOutboundMigrationsPerNode { return .outboundLimit }
        if let r = mig.recheckAt, r > now { return .recheck }
        return nil
    }

    public static func describe(_ hold: Hold, _ m: MigrationID, in state: ClusterState) -> String {
        let mig = state.migrations[m.i]
        let limits = state.config.liveMigration
        switch hold {
        case .backoff:
            return "retry backoff after \(state.vmStatus[mig.vm.i].evacuationFailures) failed migration(s), until \(mig.holdUntil.elapsed)"
        case .clusterLimit: return "parallelMigrationsPerCluster (\(limits.parallelMigrationsPerCluster)) reached"
        case .sourceUnavailable: return "source node \(state.nodes[mig.source.i].name) is down"
        case .recheck: return "a slot is free; the migration controller looks again at \(mig.recheckAt ?? .zero) (every 5 s)"
        case .outboundLimit:
            return
                "parallelOutboundMigrationsPerNode (\(limits.parallelOutboundMigrationsPerNode)) reached on \(state.nodes[mig.source.i].name)"
        }
    }

    /// Pending migrations in the order the controller takes them. With the priority queue (1.9):
    /// priority first (evacuations and workload updates are both system-critical, 100, so they
    /// interleave), then creation; without it (≤ 1.8) creation order alone. The Pending list is kept
    /// in creation order, so a sort is only needed when priorities differ.
    public static func queueOrder(_ pending: [MigrationID], in state: borrowing ClusterState) -> [MigrationID] {
        guard state.config.profile.migrationPriorityQueue, let first = pending.first else { return pending }
        let p = state.migrations[first.i].priority
        if pending.allSatisfy({ state.migrations[$0.i].priority == p }) { return pending }
        return pending.sorted {
            let a = state.migrations[$0.i], b = state.migrations[$1.i]
            return a.priority != b.priority ? a.priority > b.priority : $0 < $1
        }
    }

    /// Evacuation retry backoff: 20 s doubled per further consecutive failure, capped at 320 s (§4.5).
    public static func evacuationBackoff(failures k: Int) -> SimDuration {
        guard k > 0 else { return .zero }
        return .seconds(min(320, 20 << Int64(min(k - 1, 8))))
    }

    /// A migration's share of the links: each node's link split evenly among the transfers that leave
    /// or enter it; the migration gets the smaller of its two shares, capped by bandwidthPerMigration.
    /// Zero while either node's migration network is down.
    public static func bandwidth(_ m: MigrationID, in state: borrowing ClusterState) -> Int64 {
        let mig = state.migrations[m.i]
        guard let target = mig.target else { return 1 }
        var atSource = 0, atTarget = 0
        for t in state.transfers {
            let o = state.migrations[t.i]
            if o.source == mig.source || o.target == mig.source { atSource += 1 }
            if o.source == target || o.target == target { atTarget += 1 }
        }
        let efficiency = state.config.migrationLinkEfficiencyPercent
        let s = state.nodes[mig.source.i].migrationLinkBytesPerSecond * efficiency / 100 / Int64(max(1, atSource))
        let d = state.nodes[target.i].migrationLinkBytesPerSecond * efficiency / 100 / Int64(max(1, atTarget))
        // A cut migration network carries nothing: the transfer stalls until the progress timeout.
        if state.health[mig.source.i].migrationNetworkDown || state.health[target.i].migrationNetworkDown { return 0 }
        var bw = min(s, d)
        if let cap = state.migrationSettings[mig.vm.i].bandwidthPerMigrationBytesPerSecond { bw = min(bw, cap) }
        return max(1, bw)
    }

    /// acceptableCompletionTime = completionTimeoutPerGiB × ceil(data / 10⁹ bytes) — KubeVirt's decimal
    /// ceiling, so a 4 GiB guest counts as 5 (§4.6).
    public static func completionTimeout(dataBytes: Int64, perGiB: Int64) -> SimDuration {
        .seconds(perGiB * ((dataBytes + 999_999_999) / 1_000_000_000))
    }

    /// Memory the guest dirtied during a round of `duration`, bounded by its working set, its vCPUs
    /// slowed by the auto-converge throttle in force. A paused guest dirties nothing.
    public static func dirtiedBytes(_ vm: VirtualMachine, micros: Int64, throttlePercent: Int, guestPaused: Bool = false) -> Int64 {
        if guestPaused { return 0 }
        let rate = vm.dirtyBytesPerSecond * Int64(100 - throttlePercent) / 100
        return min(vm.workingSetBytes, Int64.mulDiv(rate, micros, 1_000_000))
    }

    /// The event time for an exact instant: the next whole millisecond.
    public static func eventTime(micros: Int64) -> SimTime { SimTime(milliseconds: (micros + 999) / 1000) }

    /// QEMU's auto-converge (`migration/ram.c`: `migration_trigger_throttle`, `mig_throttle_guest_down`),
    /// at a bitmap sync (a round's end): once at least 1 s has passed since the last evaluated sync, the
    /// period is high when the guest dirtied more than half of what was sent (throttle-trigger-threshold
    /// 50 %). At the second high period the vCPUs are throttled — cpu-throttle-initial 20 %, then
    /// +cpu-throttle-increment 10 %, at most 99 % — and the count starts again.
    public static func autoConverge(_ tr: inout TransferState, dirtied: Int64, atMicros now: Int64) {
        tr.periodDirtiedBytes += dirtied
        guard now - tr.periodStartedAtMicros >= 1_000_000 else { return }
        let sent = tr.bytesSent - tr.periodStartBytesSent
        if tr.periodDirtiedBytes > sent / 2 {
            tr.highDirtyPeriods += 1
            if tr.highDirtyPeriods >= 2 {
                tr.throttlePercent = tr.throttlePercent == 0 ? 20 : min(99, tr.throttlePercent + 10)
                tr.highDirtyPeriods = 0
            }
        }
        tr.periodStartedAtMicros = now
        tr.periodStartBytesSent = tr.bytesSent
        tr.periodDirtiedBytes = 0
    }

    /// The remainder can be sent within the downtime limit: stop-and-copy now.
    public static func fitsDowntimeLimit(_ bytes: Int64, bandwidth: Int64, limit: SimDuration) -> Bool {
        bytes <= Int64.mulDiv(bandwidth, limit.milliseconds, 1000)
    }

    /// Milliseconds to send `bytes` at `bandwidth`, rounded up.
    public static func sendTime(_ bytes: Int64, bandwidth: Int64) -> SimDuration {
        precondition(bandwidth > 0, "a stalled transfer has no end time")
        return SimDuration(milliseconds: Int64.mulDiv(bytes, 1000, bandwidth, roundingUp: true))
    }
}
