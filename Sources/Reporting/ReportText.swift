import ClusterModel
import SimKernel

/// The report for people: totals first, then drains, waiting migrations, VMs that were touched,
/// notices and expectations.
public enum ReportText {
    public static func render(_ r: RunRecord) -> String {
        let s = r.state
        var out = "drainsim report: \(r.scenarioName)\n"
        out += "seed \(r.seed), stopped: \(r.stopReason) at \(r.endTime.elapsed), \(r.eventsProcessed) events\n"
        let lm = s.config.liveMigration
        let bandwidth = lm.bandwidthPerMigrationBytesPerSecond.map { "\(ByteFormat.describe($0))/s" } ?? "unlimited"
        var settings = "profile \(s.config.profile.rawValue), evictionStrategy \(s.clusterEvictionStrategy.rawValue)"
        settings += s.config.evictionStrategy == nil ? " (default)," : ","
        settings += " parallelMigrationsPerCluster \(lm.parallelMigrationsPerCluster), parallelOutboundMigrationsPerNode"
        settings += " \(lm.parallelOutboundMigrationsPerNode), bandwidthPerMigration \(bandwidth), completionTimeoutPerGiB"
        settings += " \(lm.completionTimeoutPerGiB), progressTimeout \(lm.progressTimeout), nodeMonitorGracePeriod"
        settings += " \(s.config.nodeLifecycle.nodeMonitorGracePeriod)"
        if let network = lm.network { settings += ", migration network \(network)" }
        if !s.config.migrationPolicies.isEmpty {
            settings += ", migrationPolicies " + s.config.migrationPolicies.map(\.name).joined(separator: ", ")
        }
        out += TextLayout.wrap(settings, indent: 0, hanging: 2)

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
        out += row("max downtime", maxDown.map { "\($0.downtime) (\(s.vms[$0.vm.i].name))" } ?? "0s")
        out += row("migrations", "\(r.migrationsSucceeded) succeeded, \(r.migrationsFailed) failed, \(r.migrationsRetried) retries")
        if let span = r.maintenanceSpan {
            out += row("maintenance span", "\(span.to - span.from) (\(span.from.elapsed) to \(span.to.elapsed))")
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
            "peak \(r.peakPendingMigrations)" + (r.peakPendingAt.map { " at \($0.elapsed)" } ?? "")
                + ", longest wait \(r.longestPendingWait), \(r.waitingMigrations.count) still waiting at the end")

        if !downAtEnd.isEmpty {
            out += "\nDown at the end (\(downAtEnd.count) VM(s); open outages count to the end of the run, \(r.endTime.elapsed))\n"
            var table = TextTable("NAME", "DOWN SINCE", "DOWNTIME", "REASON")
            for vm in downAtEnd.prefix(vmDetailLimit) {
                guard let o = r.outages[vm.i].last else { continue }
                table.add(s.vms[vm.i].name, o.from.elapsed, "\(r.endTime - o.from)", o.cause + (o.resolution.map { "; \($0)" } ?? ""))
            }
            out += table.render()
            if downAtEnd.count > vmDetailLimit { out += "  ... \(downAtEnd.count - vmDetailLimit) more VM(s) in report.json\n" }
        }

        if !s.drains.isEmpty { out += drainSection(r) }

        out += workloadsText(r)

        if !r.findings.isEmpty {
            out += "\nSafety findings (the scenario's settings let these happen)\n"
            for f in r.findings { out += TextLayout.wrap("\(f.time.elapsed)  \(f.text)", hanging: 4) }
        }

        if let w = r.workloadUpdate {
            out += "\nWorkload update (KubeVirt upgraded at \(w.startedAt.elapsed))\n"
            let updates = s.migrations.filter { $0.trigger == .workloadUpdate }
            var line = "\(w.outdatedAtStart) outdated virt-launcher(s); \(updates.filter { $0.phase == .Succeeded }.count) live-migrated"
            line += ", \(updates.filter { $0.phase == .Failed }.count) migration(s) failed; "
            if let f = w.finishedAt {
                line += "finished at \(f.elapsed) after \(f - w.startedAt)"
            } else {
                line += "\(w.outdatedAtEnd) still outdated at the end"
            }
            out += TextLayout.wrap(line)
        }

        if !s.faults.isEmpty {
            out += "\nFaults\n"
            for f in s.faults { out += FaultTimeline(f, r).text(r) }
        }

        let waiting = r.waitingMigrations
        if !waiting.isEmpty {
            out += "\nMigrations still waiting at the end\n"
            var table = TextTable("NAME", "VM", "PHASE", "SINCE", "WAITING", "REASON")
            for m in waiting {
                table.add(
                    s.name(of: m), s.vms[m.vm.i].name, m.phase.rawValue, m.phaseSince.elapsed,
                    "\(r.endTime - m.createdAt)", m.waitingReason ?? "")
            }
            out += table.render()
        }

        out += vmSection(r)

        if !r.notices.isEmpty {
            out += "\nNotices\n"
            for n in r.notices { out += TextLayout.wrap("\(n.time.elapsed)  \(n.text)", hanging: 4) }
        }
        if !r.expectations.isEmpty {
            out += "\nExpectations\n"
            for e in r.expectations {
                out += TextLayout.wrap("\(e.passed ? "PASS" : "FAIL") \(e.expectation) (actual \(e.actual))", hanging: 7)
            }
        }
        return out
    }

    /// Rolling maintenances, then one row per drain; the pods a drain still waits for beneath it.
    static func drainSection(_ r: RunRecord) -> String {
        let s = r.state
        var out = "\nDrains\n"
        for rolling in r.rollingMaintenances { out += TextLayout.wrap(rollingSummary(rolling, r)) }
        var table = TextTable("NODE", "DRAIN", "REQUESTED", "STATUS", "TOOK", "DETAIL")
        var blockers: [String] = []  // per row, the pods holding that drain
        for d in s.drains {
            let what: String
            switch d.method {
            case .nodeMaintenance(let name, _): what = "NodeMaintenance \(name)"
            case .ocAdmDrain: what = "oc adm drain"
            }
            let took = "\((d.finishedAt ?? r.endTime) - d.requestedAt)"
            var detail: [String] = []
            let status: String
            switch d.phase {
            case .Succeeded:
                status = "Succeeded"
                if let e = d.endedAt { detail.append("CR deleted at \(e.elapsed)") }
                for h in d.budgetHolds {
                    detail.append("waited \((h.until ?? r.endTime) - h.from) on PodDisruptionBudget \(s.budgets[h.budget].name)")
                }
            case .Running:
                let (word, why) = unfinished(d, r)
                status = word
                detail.append(why)
            case .Failed:
                status = "Failed"
                detail.append(d.lastError ?? "")
            case .Cancelled:
                status = "Cancelled"
                detail.append("CR deleted at \((d.finishedAt ?? r.endTime).elapsed), before the drain finished")
            }
            table.add(s.nodes[d.node.i].name, what, d.requestedAt.elapsed, status, took, detail.joined(separator: "; "))
            blockers.append(d.blockers.map { TextLayout.wrap("\(s.name(of: $0.pod)): \($0.reason)", indent: 6, hanging: 8) }.joined())
        }
        return out + table.render { blockers[$0] }
    }

    /// A drain still Running at the end: stuck (the cluster went quiet, or nothing progressed for the
    /// horizon) or only not finished when the run was cut (stopAt, a limit) — never called blocked then.
    static func unfinished(_ d: Drain, _ r: RunRecord) -> (status: String, why: String) {
        let running = "drainProgress \(d.drainProgress)%"
        switch r.ending {
        case .quiet: return ("BLOCKED", running + "; the cluster went quiet: it would never finish")
        case .noProgress(let since, let horizon): return ("BLOCKED", running + "; nothing progressed for \(horizon) since \(since.elapsed)")
        case .stopAt: return ("NOT FINISHED", running + " at stopAt (\(r.endTime.elapsed))")
        case .limit(let why): return ("CUT", running + "; the run was cut at \(r.endTime.elapsed) (\(why))")
        }
    }

    /// One line per rolling maintenance: done, or how far it got and why it stopped there.
    static func rollingSummary(_ m: RollingMaintenanceRecord, _ r: RunRecord) -> String {
        let s = r.state
        var out = "rolling maintenance of \(m.nodes.count) node(s), maxUnavailable \(m.maxUnavailable), started \(m.startedAt.elapsed): "
        if let f = m.finishedAt { return out + "finished at \(f.elapsed) after \(f - m.startedAt)" }
        out += "\(m.done) of \(m.nodes.count) done"
        let current = m.drains.filter { s.drains[$0.i].endedAt == nil }.map { s.drains[$0.i] }
        let nodes = current.map { s.nodes[$0.node.i].name }.joined(separator: ", ")
        let running = current.filter { $0.phase == .Running }
        if r.ending.cutWhileWorking {
            out += "; \(nodes) in progress when the run was cut at \(r.endTime.elapsed)"
        } else if let stuck = running.first {
            out += "; stuck at \(s.nodes[stuck.node.i].name) since \(stuck.requestedAt.elapsed)"
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

    /// VMs that had an outage, a migration or a restart, longest downtime first (then declaration
    /// order): a table as `oc get vmi` prints, then each one's outages and migrations.
    static func vmSection(_ r: RunRecord) -> String {
        let s = r.state
        let byVM = r.migrationsByVM()
        let touched = s.vms.indices.filter { !r.outages[$0].isEmpty || !byVM[$0].isEmpty || r.restarts[$0] > 0 }
        let downtime = touched.map { r.downtime(of: VMID($0)) }
        let order = touched.indices.sorted { downtime[$0] != downtime[$1] ? downtime[$0] > downtime[$1] : $0 < $1 }
        var out = "\nVMs (longest downtime first)\n"
        var table = TextTable("NAME", "NODE", "STATUS", "DOWNTIME", "RESTARTS", "MIGRATIONS", "STRATEGIES", "REASON")
        var details = ""
        for k in order.prefix(vmDetailLimit) {
            let i = touched[k]
            let status = s.vmStatus[i]
            let node = status.vmi?.node.map { s.nodes[$0.i].name } ?? "-"
            let state = status.guestUp ? "Running" : "Down (" + (status.vmi.map { "VMI \($0.phase.rawValue)" } ?? "no VMI") + ")"
            let migrations = byVM[i].map { s.migrations[$0.i] }
            let failed = migrations.count { $0.phase == .Failed }
            // The reason: what keeps it down, else what last took it down.
            let last = r.outages[i].last { $0.kind == .outage || $0.to == nil }
            let reason = last.map { $0.cause + ($0.to == nil ? ($0.resolution.map { "; \($0)" } ?? "") : "") } ?? ""
            table.add(
                s.vms[i].name, node, state, "\(downtime[k])", "\(r.restarts[i])",
                failed > 0 ? "\(migrations.count) (\(failed) failed)" : "\(migrations.count)",
                "\(s.vms[i].runStrategy.rawValue)/\(s.evictionStrategy(of: VMID(i)).rawValue)", reason)
            details += vmDetail(i, migrations, r)
        }
        out += table.render()
        if touched.count > vmDetailLimit { out += "  ... \(touched.count - vmDetailLimit) more VM(s) in report.json\n" }
        let untouched = s.vms.count - touched.count
        if untouched > 0 { out += "  \(untouched) other VM(s): no outage, migration or restart\n" }
        if s.vms.isEmpty { out += "  none in the scenario\n" }
        if !details.isEmpty { out += "\nVM details\n" + details }
        return out
    }

    /// One VM's outages (with what it waited for) and migrations, as `oc describe` lists events.
    static func vmDetail(_ i: Int, _ migrations: [VirtualMachineInstanceMigration], _ r: RunRecord) -> String {
        let s = r.state
        var out = "  \(s.vms[i].name):\n"
        for o in r.outages[i] {
            let to = o.to.map { "\($0.elapsed)" } ?? "the end, still down"
            var line =
                "\(o.kind == .migrationPause ? "paused" : "down") \(o.from.elapsed) to \(to) (\((o.to ?? r.endTime) - o.from)): \(o.cause)"
            line += o.resolution.map { "; \($0)" } ?? ""
            out += TextLayout.wrap(line, indent: 4, hanging: 6)
            // The phases, when there is more to say than cause and resolution.
            if o.phases.count > 1 || (o.phases.count == 1 && o.to == nil) {
                let ends = o.phases.dropFirst().map(\.from) + [o.to ?? r.endTime]
                for (p, end) in zip(o.phases, ends) {
                    out += TextLayout.wrap("\(p.from.elapsed) \(p.what) (\(end - p.from))", indent: 6, hanging: 8)
                }
            }
        }
        for m in migrations {
            let target = m.target.map { s.nodes[$0.i].name } ?? "-"
            var line = "migration \(s.name(of: m)) \(s.nodes[m.source.i].name) -> \(target) \(m.phase.rawValue)"
            if let e = m.endedAt { line += " at \(e.elapsed) after \(e - m.createdAt)" }
            if let p = m.pause { line += ", pause \(p)" }
            if let start = m.postCopyStartedAt { line += ", post-copy (degraded \((m.endedAt ?? r.endTime) - start))" }
            if m.guestPausedAt != nil { line += ", guest paused to converge" }
            if let policy = s.migrationSettings[m.vm.i].policy { line += ", policy \(policy)" }
            if let f = m.failureReason { line += ": \(f)" }
            out += TextLayout.wrap(line, indent: 4, hanging: 6)
        }
        return out
    }

    private static func row(_ label: String, _ value: String) -> String {
        TextLayout.wrap(value, after: "  " + label.padded(to: 22), hanging: 24)
    }

    /// The event trace, one line per change: `hh:mm:ss.mmm  text`.
    public static func trace(_ r: RunRecord) -> String { OutputChunks.gathered { trace(r, chunk: $0) } }

    /// The trace in pieces, for a file.
    public static func trace(_ r: RunRecord, chunk: ([UInt8]) -> Void) {
        var out = OutputChunks()
        for e in r.trace {
            TraceEntry.appendLine(time: e.time, text: e.text, to: &out.bytes)
            out.flushIfFull(chunk)
        }
        out.finish(chunk)
    }
}
