import SimKernel

/// Figures derived from a finished run; the report and the expectations read the same numbers.
extension RunRecord {
    public func downtime(of vm: VMID) -> SimDuration {
        var total = SimDuration.zero
        for o in outages[vm.i] { total = total + ((o.to ?? endTime) - o.from) }
        return total
    }

    public var vmsWithDowntime: Int { outages.indices.filter { downtime(of: VMID($0)) > .zero }.count }

    public var totalDowntime: SimDuration {
        outages.indices.reduce(SimDuration.zero) { $0 + downtime(of: VMID($1)) }
    }

    /// The longest downtime and its VM (the first such VM on ties).
    public var maxDowntime: (vm: VMID, downtime: SimDuration)? {
        var best: (VMID, SimDuration)?
        for i in outages.indices {
            let d = downtime(of: VMID(i))
            if d > .zero && d > (best?.1 ?? .zero) { best = (VMID(i), d) }
        }
        return best.map { (vm: $0.0, downtime: $0.1) }
    }

    public func isDown(_ vm: VMID) -> Bool { outages[vm.i].last.map { $0.to == nil } ?? false }

    /// VMs whose guest is not serving at the end of the run, in VM order: the worst outcome.
    public var vmsDownAtEnd: [VMID] { outages.indices.map { VMID($0) }.filter(isDown) }

    /// Whether the VM had a real outage — shut down, restarted, failed with its node, paused on I/O —
    /// rather than only live-migration pauses. Down at the end counts, whatever took it down.
    public func hadOutage(_ vm: VMID) -> Bool { outages[vm.i].contains { $0.kind == .outage || $0.to == nil } }

    /// Downtime from real outages only (what `hadOutage` counts).
    public func outageDowntime(of vm: VMID) -> SimDuration {
        var total = SimDuration.zero
        for o in outages[vm.i] where o.kind == .outage || o.to == nil { total = total + ((o.to ?? endTime) - o.from) }
        return total
    }

    /// VMs with a real outage, their downtime in all, and the worst (first VM on ties).
    public var outageSummary: (vms: Int, total: SimDuration, worst: (vm: VMID, downtime: SimDuration)?) {
        var vms = 0
        var total = SimDuration.zero
        var worst: (vm: VMID, downtime: SimDuration)?
        for i in outages.indices where hadOutage(VMID(i)) {
            let d = outageDowntime(of: VMID(i))
            vms += 1
            total = total + d
            if d > (worst?.downtime ?? .zero) || worst == nil { worst = (VMID(i), d) }
        }
        return (vms, total, worst)
    }

    /// VMs whose only downtime was live-migration pauses, and the longest single pause of any VM.
    public var pauseSummary: (vmsOnlyPaused: Int, longest: (vm: VMID, pause: SimDuration)?) {
        var only = 0
        var longest: (vm: VMID, pause: SimDuration)?
        for i in outages.indices {
            let pauses = outages[i].filter { $0.kind == .migrationPause && $0.to != nil }
            if !pauses.isEmpty && !hadOutage(VMID(i)) { only += 1 }
            for p in pauses {
                let d = (p.to ?? endTime) - p.from
                if d > (longest?.pause ?? .zero) || longest == nil { longest = (VMID(i), d) }
            }
        }
        return (only, longest)
    }

    public func migrations(of vm: VMID) -> [VirtualMachineInstanceMigration] {
        state.migrations.filter { $0.vm == vm }
    }

    /// Every VM's migrations in creation order, grouped in one pass (for reports over many VMs); by
    /// ID, so the records themselves are not copied.
    public func migrationsByVM() -> [[MigrationID]] {
        var out = Array(repeating: [MigrationID](), count: state.vms.count)
        for (k, m) in state.migrations.enumerated() { out[m.vm.i].append(MigrationID(k)) }
        return out
    }

    public var migrationsSucceeded: Int { state.migrations.count { $0.phase == .Succeeded } }
    public var migrationsFailed: Int { state.migrations.count { $0.phase == .Failed } }
    public var migrationsRetried: Int { state.migrations.count(where: \.isRetry) }

    /// Migrations still waiting at the end: Pending, or Scheduling without a target.
    public var waitingMigrations: [VirtualMachineInstanceMigration] {
        state.migrations.filter { $0.phase == .Pending || $0.phase == .Scheduling }
    }

    public var blockedDrains: [Drain] { state.drains.filter { $0.phase == .Running } }

    /// Drains that ended without emptying their node: timed out, or their NodeMaintenance deleted first.
    public var abandonedDrains: [Drain] { state.drains.filter { $0.phase == .Failed || $0.phase == .Cancelled } }

    /// First drain request to the last drain's end (its CR deleted, or its last pod gone);
    /// nil when there was no drain or one did not succeed.
    public var maintenanceSpan: (from: SimTime, to: SimTime)? {
        guard !state.drains.isEmpty, state.drains.allSatisfy({ $0.phase == .Succeeded }) else { return nil }
        let from = state.drains.map(\.requestedAt).min() ?? .zero
        let to = state.drains.map { $0.endedAt ?? $0.finishedAt ?? endTime }.max() ?? from
        return (from, to)
    }
}
