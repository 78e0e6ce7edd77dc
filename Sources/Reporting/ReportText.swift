import ClusterModel
import SimKernel

/// The report for people: totals first, then drains, waiting migrations, VMs that were touched,
/// notices and expectations.
public enum ReportText {
    public static func render(_ r: RunRecord) -> String {
        let s = r.state
        var out = "drainsim report: \(r.scenarioName)\n"
        out += "seed \(r.seed), stopped: \(r.stopReason) at \(r.endTime), \(r.eventsProcessed) events\n"
        let lm = s.config.liveMigration
        let bandwidth = lm.bandwidthPerMigrationBytesPerSecond.map { "\(ByteFormat.describe($0))/s" } ?? "unlimited"
        out +=
            "profile \(s.config.profile.rawValue), evictionStrategy \(s.clusterEvictionStrategy.rawValue)\(s.config.evictionStrategy == nil ? " (default)" : ""),"
        out += " parallelMigrationsPerCluster \(lm.parallelMigrationsPerCluster), parallelOutboundMigrationsPerNode"
        out += " \(lm.parallelOutboundMigrationsPerNode), bandwidthPerMigration \(bandwidth), completionTimeoutPerGiB"
        out += " \(lm.completionTimeoutPerGiB), progressTimeout \(lm.progressTimeout), nodeMonitorGracePeriod"
        out += " \(s.config.nodeLifecycle.nodeMonitorGracePeriod)"
        if let network = lm.network { out += ", migration network \(network)" }
        if !s.config.migrationPolicies.isEmpty {
            out += ", migrationPolicies " + s.config.migrationPolicies.map(\.name).joined(separator: ", ")
        }
        out += "\n"

        out += "\nTotals\n"
        let maxDown = r.maxDowntime
        let downAtEnd = r.vmsDownAtEnd
        out += row(
            "VMs down at the end", "\(downAtEnd.count) of \(s.vms.count)" + (downAtEnd.isEmpty ? "" : " (listed under \"Down at the end\")")
        )
        let outages = r.outageSummary
        out += row(
            "VMs with an outage",
            "\(outages.vms) (shut down, restarted, failed or not started)"
                + (outages.worst.map { ": \(outages.total) in all, worst \($0.downtime) (\(s.vms[$0.vm.i].name))" } ?? ""))
        let pauses = r.pauseSummary
        out += row(
            "VMs only paused",
            "\(pauses.vmsOnlyPaused) by live migration"
                + (pauses.longest.map { "; longest pause \($0.pause) (\(s.vms[$0.vm.i].name))" } ?? ""))
        out += row("total downtime", "\(r.totalDowntime) (outages and migration pauses)")
        out += row("max downtime", maxDown.map { "\($0.downtime) (\(s.vms[$0.vm.i].name))" } ?? "0ms")
        out += row("migrations", "\(r.migrationsSucceeded) succeeded, \(r.migrationsFailed) failed, \(r.migrationsRetried) retries")
        if let span = r.maintenanceSpan {
            out += row("maintenance span", "\(span.to - span.from) (\(span.from) to \(span.to))")
        } else if s.drains.isEmpty {
            out += row("maintenance span", "no maintenance")
        } else {
            var why: [String] = []
            if !r.blockedDrains.isEmpty { why.append("\(r.blockedDrains.count) drain(s) still blocked") }
            if !r.abandonedDrains.isEmpty { why.append("\(r.abandonedDrains.count) drain(s) failed or cancelled") }
            out += row("maintenance span", "not finished: " + why.joined(separator: ", "))
        }
        if !s.faults.isEmpty {
            let affected = Set(s.faults.flatMap(\.vms)).count
            out += row("faults", "\(s.faults.count), affecting \(affected) VM(s); \(r.findings.count) safety finding(s)")
        }
        out += row(
            "pending migrations",
            "peak \(r.peakPendingMigrations)" + (r.peakPendingAt.map { " at \($0)" } ?? "")
                + ", longest wait \(r.longestPendingWait), \(r.waitingMigrations.count) still waiting at the end")

        if !downAtEnd.isEmpty {
            out += "\nDown at the end (\(downAtEnd.count) VM(s); open outages count to the end of the run, \(r.endTime))\n"
            for vm in downAtEnd.prefix(vmDetailLimit) {
                guard let o = r.outages[vm.i].last else { continue }
                out += "  \(s.vms[vm.i].name): down since \(o.from) (\(r.endTime - o.from)), still down at the end: \(o.cause)"
                out += o.resolution.map { "; \($0)" } ?? ""
                out += "\n"
            }
            if downAtEnd.count > vmDetailLimit { out += "  ... \(downAtEnd.count - vmDetailLimit) more VM(s) in report.json\n" }
        }

        if !s.drains.isEmpty {
            out += "\nDrains\n"
            for rolling in r.rollingMaintenances { out += "  " + rollingSummary(rolling, r) + "\n" }
            for d in s.drains {
                let node = s.nodes[d.node.i].name
                var what: String
                switch d.method {
                case .nodeMaintenance(let name, _): what = "NodeMaintenance \(name)"
                case .ocAdmDrain: what = "oc adm drain"
                }
                what += " of \(node), requested \(d.requestedAt): "
                switch d.phase {
                case .Succeeded:
                    what += "Succeeded at \(d.finishedAt ?? r.endTime) after \((d.finishedAt ?? r.endTime) - d.requestedAt)"
                    if let e = d.endedAt { what += ", CR deleted at \(e)" }
                    for h in d.budgetHolds {
                        what += "; waited \((h.until ?? r.endTime) - h.from) on PodDisruptionBudget \(s.budgets[h.budget].name)"
                    }
                case .Running:
                    what += unfinished(d, r)
                case .Failed:
                    what += "Failed at \(d.finishedAt ?? r.endTime): \(d.lastError ?? "")"
                case .Cancelled:
                    what += "Cancelled at \(d.finishedAt ?? r.endTime) (CR deleted before the drain finished)"
                }
                out += "  " + what + "\n"
                for b in d.blockers { out += "      \(s.name(of: b.pod)): \(b.reason)\n" }
            }
        }

        out += workloadsText(r)

        if !r.findings.isEmpty {
            out += "\nSafety findings (the scenario's settings let these happen)\n"
            for f in r.findings { out += "  \(f.time) \(f.text)\n" }
        }

        if let w = r.workloadUpdate {
            out += "\nWorkload update (KubeVirt upgraded at \(w.startedAt))\n"
            let updates = s.migrations.filter { $0.trigger == .workloadUpdate }
            out += "  \(w.outdatedAtStart) outdated virt-launcher(s); \(updates.filter { $0.phase == .Succeeded }.count) live-migrated"
            out += ", \(updates.filter { $0.phase == .Failed }.count) migration(s) failed; "
            if let f = w.finishedAt {
                out += "finished at \(f) after \(f - w.startedAt)\n"
            } else {
                out += "\(w.outdatedAtEnd) still outdated at the end\n"
            }
        }

        if !s.faults.isEmpty {
            out += "\nFaults\n"
            for f in s.faults { out += FaultTimeline(f, r).text(r) }
        }

        let waiting = r.waitingMigrations
        if !waiting.isEmpty {
            out += "\nMigrations still waiting at the end\n"
            for m in waiting {
                out += "  \(m.name) (\(s.vms[m.vm.i].name)) \(m.phase.rawValue) since \(m.phaseSince), waiting \(r.endTime - m.createdAt)"
                out += m.waitingReason.map { ": \($0)" } ?? ""
                out += "\n"
            }
        }

        out += vmSection(r)

        if !r.notices.isEmpty {
            out += "\nNotices\n"
            for n in r.notices { out += "  \(n.time) \(n.text)\n" }
        }
        if !r.expectations.isEmpty {
            out += "\nExpectations\n"
            for e in r.expectations { out += "  \(e.passed ? "PASS" : "FAIL") \(e.expectation) (actual \(e.actual))\n" }
        }
        return out
    }

    /// A drain still Running at the end: stuck (the cluster went quiet, or nothing progressed for the
    /// horizon) or only not finished when the run was cut (stopAt, a limit) — never called blocked then.
    static func unfinished(_ d: Drain, _ r: RunRecord) -> String {
        let running = "Running for \(r.endTime - d.requestedAt), drainProgress \(d.drainProgress)%"
        switch r.ending {
        case .quiet: return "BLOCKED, still " + running + " (the cluster went quiet: it would never finish)"
        case .noProgress(let since, let horizon): return "BLOCKED, still " + running + " (nothing progressed for \(horizon) since \(since))"
        case .stopAt: return "NOT FINISHED at stopAt (\(r.endTime)), " + running
        case .limit(let why): return "CUT at \(r.endTime) (\(why)), not finished: " + running
        }
    }

    /// One line per rolling maintenance: done, or how far it got and why it stopped there.
    static func rollingSummary(_ m: RollingMaintenanceRecord, _ r: RunRecord) -> String {
        let s = r.state
        var out = "rolling maintenance of \(m.nodes.count) node(s), maxUnavailable \(m.maxUnavailable), started \(m.startedAt): "
        if let f = m.finishedAt { return out + "finished at \(f) after \(f - m.startedAt)" }
        out += "\(m.done) of \(m.nodes.count) done"
        let current = m.drains.filter { s.drains[$0.i].endedAt == nil }.map { s.drains[$0.i] }
        let nodes = current.map { s.nodes[$0.node.i].name }.joined(separator: ", ")
        let running = current.filter { $0.phase == .Running }
        if r.ending.cutWhileWorking {
            out += "; \(nodes) in progress when the run was cut at \(r.endTime)"
        } else if let stuck = running.first {
            out += "; stuck at \(s.nodes[stuck.node.i].name) since \(stuck.requestedAt)"
            if let b = stuck.blockers.first {
                out += " because \(s.name(of: b.pod)) cannot leave: \(b.reason)"
                if stuck.blockers.count > 1 { out += " (and \(stuck.blockers.count - 1) more pod(s))" }
            } else if let e = stuck.lastError {
                out += " because \(e)"
            }
            if running.count > 1 { out += " (and \(running.count - 1) more node(s))" }
        } else if !current.isEmpty {
            out += "; \(nodes) still in maintenance at the end"
        }
        let notStarted = m.nodes.count - m.started
        out += r.ending.cutWhileWorking ? "; \(notStarted) not started" : "; \(notStarted) never started"
        return out
    }

    /// At most this many VMs are described one by one; report.json always has them all.
    public static let vmDetailLimit = 100

    /// VMs that had an outage, a migration or a restart, longest downtime first (then declaration order).
    static func vmSection(_ r: RunRecord) -> String {
        let s = r.state
        let byVM = r.migrationsByVM()
        let touched = s.vms.indices.filter { !r.outages[$0].isEmpty || !byVM[$0].isEmpty || r.restarts[$0] > 0 }
        let downtime = touched.map { r.downtime(of: VMID($0)) }
        let order = touched.indices.sorted { downtime[$0] != downtime[$1] ? downtime[$0] > downtime[$1] : $0 < $1 }
        var out = "\nVMs (longest downtime first)\n"
        for k in order.prefix(vmDetailLimit) {
            let i = touched[k]
            let status = s.vmStatus[i]
            let node = status.vmi?.node.map { s.nodes[$0.i].name } ?? "-"
            let state = status.guestUp ? "up" : "down, " + (status.vmi.map { "VMI \($0.phase.rawValue)" } ?? "no VMI")
            out += "  \(s.vms[i].name): \(state) on \(node), downtime \(downtime[k]), restarts \(r.restarts[i])"
            out += " [\(s.vms[i].runStrategy.rawValue), \(s.evictionStrategy(of: VMID(i)).rawValue)]\n"
            for o in r.outages[i] {
                let to = o.to.map { "\($0)" } ?? "the end, still down"
                out +=
                    "      \(o.kind == .migrationPause ? "paused" : "down") \(o.from) to \(to) (\((o.to ?? r.endTime) - o.from)): \(o.cause)"
                out += o.resolution.map { "; \($0)" } ?? ""
                out += "\n"
                // The phases, when there is more to say than cause and resolution.
                if o.phases.count > 1 || (o.phases.count == 1 && o.to == nil) {
                    let ends = o.phases.dropFirst().map(\.from) + [o.to ?? r.endTime]
                    for (p, end) in zip(o.phases, ends) { out += "        \(p.from) \(p.what) (\(end - p.from))\n" }
                }
            }
            for m in byVM[i].map({ s.migrations[$0.i] }) {
                let target = m.target.map { s.nodes[$0.i].name } ?? "-"
                out += "      migration \(m.name) \(s.nodes[m.source.i].name) -> \(target) \(m.phase.rawValue)"
                if let e = m.endedAt { out += " after \(e - m.createdAt)" }
                if let p = m.pause { out += ", pause \(p)" }
                if let start = m.postCopyStartedAt { out += ", post-copy (degraded \((m.endedAt ?? r.endTime) - start))" }
                if m.guestPausedAt != nil { out += ", guest paused to converge" }
                if let policy = s.migrationSettings[m.vm.i].policy { out += ", policy \(policy)" }
                if let f = m.failureReason { out += ": \(f)" }
                out += "\n"
            }
        }
        if touched.count > vmDetailLimit { out += "  ... \(touched.count - vmDetailLimit) more VM(s) in report.json\n" }
        let untouched = s.vms.count - touched.count
        if untouched > 0 { out += "  \(untouched) other VM(s): no outage, migration or restart\n" }
        return out
    }

    private static func row(_ label: String, _ value: String) -> String {
        "  " + label.padded(to: 22) + value + "\n"
    }

    /// The event trace, one line per change: `hh:mm:ss.mmm  text`.
    public static func trace(_ r: RunRecord) -> String {
        var all: [UInt8] = []
        trace(r) { all += $0 }
        return String(decoding: all, as: UTF8.self)
    }

    /// The trace in pieces of about a megabyte, for a file.
    public static func trace(_ r: RunRecord, chunk: ([UInt8]) -> Void) {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20 + 4096)
        for e in r.trace {
            TraceEntry.appendLine(time: e.time, text: e.text, to: &out)
            if out.count >= 1 << 20 {
                chunk(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        chunk(out)
    }
}
