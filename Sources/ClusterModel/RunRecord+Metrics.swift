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

    public func migrations(of vm: VMID) -> [VirtualMachineInstanceMigration] {
        state.migrations.filter { $0.vm == vm }
    }

    /// Every VM's migrations in creation order, grouped in one pass (for reports over many VMs).
    public func migrationsByVM() -> [[VirtualMachineInstanceMigration]] {
        var out = Array(repeating: [VirtualMachineInstanceMigration](), count: state.vms.count)
        for m in state.migrations { out[m.vm.i].append(m) }
        return out
    }

    public var migrationsSucceeded: Int { state.migrations.filter { $0.phase == .Succeeded }.count }
    public var migrationsFailed: Int { state.migrations.filter { $0.phase == .Failed }.count }
    public var migrationsRetried: Int { state.migrations.filter(\.isRetry).count }

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
