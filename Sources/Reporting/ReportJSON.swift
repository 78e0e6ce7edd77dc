import ClusterModel
import SimKernel

/// The machine-readable report. Times and durations are integer milliseconds (`…Ms`); the schema is
/// documented in the README and its key order is fixed.
public enum ReportJSON {
    public static func render(_ r: RunRecord) -> String { document(r).render() }

    /// The report handed over in pieces, for a file: the per-VM list is made while it is written.
    public static func write(_ r: RunRecord, chunk: ([UInt8]) -> Void) { document(r).write(chunk: chunk) }

    public static func document(_ r: RunRecord) -> JSONValue {
        let s = r.state
        return .object(
            [
                ("scenario", .string(r.scenarioName)),
                ("seed", .int(Int64(bitPattern: r.seed))),
                ("stopReason", .string(r.stopReason)),
                ("ending", .string(endingName(r.ending))),
                ("endTimeMs", .int(r.endTime.milliseconds)),
                ("events", .int(r.eventsProcessed)),
                ("settings", settings(r)),
                ("totals", totals(r)),
                ("downAtEnd", .array(r.vmsDownAtEnd.compactMap { downAtEnd($0, r) })),
                ("rollingMaintenances", .array(r.rollingMaintenances.map { rolling($0, r) })),
                ("drains", .array(s.drains.map { drain($0, r) })),
                ("pendingMigrations", .array(r.waitingMigrations.map { pending($0, r) })),
                ("faults", .array(s.faults.map { FaultTimeline($0, r).json(r) })),
                (
                    "workloadUpdate",
                    r.workloadUpdate.map { w in
                        .object([
                            ("startedAtMs", .int(w.startedAt.milliseconds)), ("finishedAtMs", .optional(w.finishedAt?.milliseconds)),
                            ("outdatedAtStart", .int(w.outdatedAtStart)), ("outdatedAtEnd", .int(w.outdatedAtEnd)),
                        ])
                    } ?? .null
                ),
                ("vms", .items(s.vms.count) { [byVM = r.migrationsByVM()] i in vm(VMID(i), byVM[i].map { s.migrations[$0.i] }, r) }),
                ("findings", .array(r.findings.map { .object([("timeMs", .int($0.time.milliseconds)), ("text", .string($0.text))]) })),
                ("notices", .array(r.notices.map { .object([("timeMs", .int($0.time.milliseconds)), ("text", .string($0.text))]) })),
                (
                    "expectations",
                    .array(
                        r.expectations.map {
                            .object([
                                ("expectation", .string($0.expectation)), ("passed", .bool($0.passed)), ("actual", .string($0.actual)),
                            ])
                        })
                ),
            ] + workloadsJSON(r))
    }

    static func settings(_ r: RunRecord) -> JSONValue {
        let s = r.state
        let lm = s.config.liveMigration
        return .object(
            [
                ("profile", .string(s.config.profile.rawValue)),
                ("evictionStrategy", .string(s.clusterEvictionStrategy.rawValue)),
                ("evictionStrategySource", .string(s.config.evictionStrategy == nil ? "default" : "scenario")),
                ("parallelMigrationsPerCluster", .int(lm.parallelMigrationsPerCluster)),
                ("parallelOutboundMigrationsPerNode", .int(lm.parallelOutboundMigrationsPerNode)),
                ("bandwidthPerMigrationBytesPerSecond", .optional(lm.bandwidthPerMigrationBytesPerSecond)),
                ("completionTimeoutPerGiB", .int(lm.completionTimeoutPerGiB)),
                ("progressTimeoutMs", .int(lm.progressTimeout.milliseconds)),
                ("allowAutoConverge", .bool(lm.allowAutoConverge)),
                ("allowPostCopy", .bool(lm.allowPostCopy)),
                ("allowWorkloadDisruption", .bool(lm.allowWorkloadDisruption ?? lm.allowPostCopy)),
                ("migrationPolicies", .array(s.config.migrationPolicies.map { .string($0.name) })),
                ("downtimeLimitMs", .int(s.config.downtimeLimit.milliseconds)),
                ("launcherStartupMs", .int(s.config.launcherStartup.milliseconds)),
                ("nodeMonitorGracePeriodMs", .int(s.config.nodeLifecycle.nodeMonitorGracePeriod.milliseconds)),
                ("unreachableTolerationMs", .int(s.config.nodeLifecycle.unreachableToleration.milliseconds)),
                ("volumeDetachWaitMs", .int(s.config.nodeLifecycle.volumeDetachWait.milliseconds)),
                ("remediation", .string(s.config.remediation.kind.rawValue)),
                ("remediationStrategy", .string(s.config.remediation.strategy.rawValue)),
            ] + (lm.network.map { [("migrationNetwork", .string($0))] } ?? []))
    }

    /// The totals object alone: what `results/<name>/metrics.json` keeps for `drainsim check`.
    public static func totals(_ r: RunRecord) -> JSONValue {
        let s = r.state
        let span = r.maintenanceSpan
        let maxDown = r.maxDowntime
        let outages = r.outageSummary, pauses = r.pauseSummary
        return .object([
            ("vms", .int(s.vms.count)),
            ("vmsDownAtEnd", .int(r.vmsDownAtEnd.count)),
            ("vmsWithOutage", .int(outages.vms)),
            ("outageDowntimeMs", .int(outages.total.milliseconds)),
            ("maxOutageMs", .int(outages.worst?.downtime.milliseconds ?? 0)),
            ("maxOutageVM", .optional(outages.worst.map { s.vms[$0.vm.i].name })),
            ("vmsOnlyPaused", .int(pauses.vmsOnlyPaused)),
            ("longestPauseMs", .int(pauses.longest?.pause.milliseconds ?? 0)),
            ("longestPauseVM", .optional(pauses.longest.map { s.vms[$0.vm.i].name })),
            ("vmsWithDowntime", .int(r.vmsWithDowntime)),
            ("totalDowntimeMs", .int(r.totalDowntime.milliseconds)),
            ("maxDowntimeMs", .int(maxDown?.downtime.milliseconds ?? 0)),
            ("maxDowntimeVM", .optional(maxDown.map { s.vms[$0.vm.i].name })),
            ("migrationsSucceeded", .int(r.migrationsSucceeded)),
            ("migrationsFailed", .int(r.migrationsFailed)),
            ("migrationsRetried", .int(r.migrationsRetried)),
            ("drains", .int(s.drains.count)),
            ("drainsBlocked", .int(r.blockedDrains.count)),
            ("drainsFailedOrCancelled", .int(r.abandonedDrains.count)),
            ("maintenanceFromMs", .optional(span?.from.milliseconds)),
            ("maintenanceToMs", .optional(span?.to.milliseconds)),
            ("maintenanceSpanMs", .optional(span.map { ($0.to - $0.from).milliseconds })),
            ("peakPendingMigrations", .int(r.peakPendingMigrations)),
            ("peakPendingAtMs", .optional(r.peakPendingAt?.milliseconds)),
            ("longestPendingWaitMs", .int(r.longestPendingWait.milliseconds)),
            ("pendingMigrationsAtEnd", .int(r.waitingMigrations.count)),
            ("faults", .int(s.faults.count)),
            ("safetyFindings", .int(r.findings.count)),
        ])
    }

    /// "quiet" | "stopAt" | "noProgress" | "limit": whether an unfinished drain is stuck or was cut.
    static func endingName(_ e: RunEnding) -> String {
        switch e {
        case .quiet: return "quiet"
        case .stopAt: return "stopAt"
        case .noProgress: return "noProgress"
        case .limit: return "limit"
        }
    }

    static func rolling(_ m: RollingMaintenanceRecord, _ r: RunRecord) -> JSONValue {
        let s = r.state
        let current = m.drains.filter { s.drains[$0.i].endedAt == nil }
        return .object([
            ("nodes", .int(m.nodes.count)),
            ("maxUnavailable", .int(m.maxUnavailable)),
            ("startedAtMs", .int(m.startedAt.milliseconds)),
            ("finishedAtMs", .optional(m.finishedAt?.milliseconds)),
            ("done", .int(m.done)),
            ("inMaintenance", .array(current.map { .string(s.nodes[s.drains[$0.i].node.i].name) })),
            ("notStarted", .int(m.nodes.count - m.started)),
        ])
    }

    /// A VM not serving at the end: since when, what took it down, and what it waits for.
    static func downAtEnd(_ vm: VMID, _ r: RunRecord) -> JSONValue? {
        guard let o = r.outages[vm.i].last else { return nil }
        return .object([
            ("vm", .string(r.state.vms[vm.i].name)),
            ("sinceMs", .int(o.from.milliseconds)),
            ("downMs", .int((r.endTime - o.from).milliseconds)),
            ("cause", .string(o.cause)),
            ("reason", .optional(o.resolution)),
        ])
    }

    static func drain(_ d: Drain, _ r: RunRecord) -> JSONValue {
        let s = r.state
        var method = "oc adm drain", name: String? = nil, reason: String? = nil, timeout: Int64? = nil
        switch d.method {
        case .nodeMaintenance(let n, let why):
            method = "NodeMaintenance"
            name = n
            reason = why
        case .ocAdmDrain(let t): timeout = t?.milliseconds
        }
        let end = d.finishedAt ?? r.endTime
        let holds: [(String, JSONValue)] =
            d.budgetHolds.isEmpty
            ? []
            : [
                (
                    "budgetHolds",
                    .array(
                        d.budgetHolds.map { h in
                            .object([
                                ("budget", .string(s.budgets[h.budget].name)), ("fromMs", .int(h.from.milliseconds)),
                                ("untilMs", .optional(h.until?.milliseconds)),
                            ])
                        })
                )
            ]
        return .object(
            [
                ("node", .string(s.nodes[d.node.i].name)),
                ("method", .string(method)),
                ("name", .optional(name)),
                ("reason", .optional(reason)),
                ("timeoutMs", .optional(timeout)),
                ("requestedAtMs", .int(d.requestedAt.milliseconds)),
                ("phase", .string(d.phase.rawValue)),
                ("finishedAtMs", .optional(d.finishedAt?.milliseconds)),
                ("deletedAtMs", .optional(d.endedAt?.milliseconds)),
                ("durationMs", .int((end - d.requestedAt).milliseconds)),
                ("evictionPods", .int(d.evictionPods)),
                ("drainProgress", .int(d.drainProgress)),
                ("pendingPods", .array(d.pendingPods.map { .string(s.name(of: $0)) })),
                ("lastError", .optional(d.lastError)),
                (
                    "blockers",
                    .array(
                        d.blockers.map { b in
                            let key = if case .vm = b.pod { "vm" } else { "pod" }
                            return .object([(key, .string(s.name(of: b.pod))), ("reason", .string(b.reason))])
                        })
                ),
            ] + holds)
    }

    static func pending(_ m: VirtualMachineInstanceMigration, _ r: RunRecord) -> JSONValue {
        .object([
            ("name", .string(r.state.name(of: m))),
            ("vm", .string(r.state.vms[m.vm.i].name)),
            ("phase", .string(m.phase.rawValue)),
            ("createdAtMs", .int(m.createdAt.milliseconds)),
            ("phaseSinceMs", .int(m.phaseSince.milliseconds)),
            ("waitingMs", .int((r.endTime - m.createdAt).milliseconds)),
            ("reason", .optional(m.waitingReason)),
        ])
    }

    static func vm(_ id: VMID, _ migrations: [VirtualMachineInstanceMigration], _ r: RunRecord) -> JSONValue {
        let s = r.state
        let spec = s.vms[id.i]
        let status = s.vmStatus[id.i]
        let migratable: JSONValue
        switch s.liveMigratable[id.i] {
        case .migratable(let method): migratable = .object([("status", .bool(true)), ("method", .string(method.rawValue))])
        case .notMigratable(let reason, let message):
            migratable = .object([("status", .bool(false)), ("reason", .string(reason)), ("message", .string(message))])
        }
        return .object([
            ("name", .string(spec.name)),
            ("runStrategy", .string(spec.runStrategy.rawValue)),
            ("finalRunStrategy", .string(status.runStrategy.rawValue)),
            ("evictionStrategy", .string(s.evictionStrategy(of: id).rawValue)),
            ("liveMigratable", migratable),
            ("finalPhase", .optional(status.vmi?.phase.rawValue)),
            ("node", .optional(status.vmi?.node.map { s.nodes[$0.i].name })),
            ("guestUp", .bool(status.guestUp)),
            ("downtimeMs", .int(r.downtime(of: id).milliseconds)),
            ("restarts", .int(r.restarts[id.i])),
            (
                "outages",
                .array(
                    r.outages[id.i].map { o in
                        .object([
                            ("fromMs", .int(o.from.milliseconds)),
                            ("toMs", .optional(o.to?.milliseconds)),
                            ("durationMs", .int(((o.to ?? r.endTime) - o.from).milliseconds)),
                            ("kind", .string(o.kind.rawValue)),
                            ("cause", .string(o.cause)),
                            ("resolution", .optional(o.resolution)),
                            (
                                "phases",
                                .array(o.phases.map { .object([("fromMs", .int($0.from.milliseconds)), ("what", .string($0.what))]) })
                            ),
                        ])
                    })
            ),
            ("migrations", .array(migrations.map { migration($0, s) })),
        ])
    }

    static func triggerName(_ t: MigrationTrigger) -> String {
        switch t {
        case .manual: return "virtctl migrate"
        case .evacuation: return "evacuation"
        case .workloadUpdate: return "workload update"
        }
    }

    static func migration(_ m: VirtualMachineInstanceMigration, _ s: ClusterState) -> JSONValue {
        .object([
            ("name", .string(s.name(of: m))),
            ("trigger", .string(triggerName(m.trigger))),
            ("policy", .optional(s.migrationSettings[m.vm.i].policy)),
            ("phase", .string(m.phase.rawValue)),
            ("source", .string(s.nodes[m.source.i].name)),
            ("target", .optional(m.target.map { s.nodes[$0.i].name })),
            ("createdAtMs", .int(m.createdAt.milliseconds)),
            ("transferStartedAtMs", .optional(m.transfer?.startedAt.milliseconds)),
            ("endedAtMs", .optional(m.endedAt?.milliseconds)),
            ("durationMs", .optional(m.endedAt.map { ($0 - m.createdAt).milliseconds })),
            ("rounds", .optional(m.transfer.map { Int64($0.rounds) })),
            ("bytesSent", .optional(m.transfer?.bytesSent)),
            ("pauseMs", .optional(m.pause?.milliseconds)),
            ("postCopy", .bool(m.postCopy)),
            ("postCopyDegradedMs", .optional(m.postCopyStartedAt.map { ((m.endedAt ?? $0) - $0).milliseconds })),
            ("guestPausedAtMs", .optional(m.guestPausedAt?.milliseconds)),
            ("retry", .bool(m.isRetry)),
            ("failureReason", .optional(m.failureReason)),
        ])
    }
}
