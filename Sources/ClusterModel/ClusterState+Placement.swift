/// The only writers of the derived placement indexes, so they always agree with the statuses.
extension ClusterState {
    public mutating func bindLauncher(_ vm: VMID, to node: NodeID) {
        let spec = vms[vm.i]
        cpuRequestedMillis[node.i] += spec.launcherCPURequestMillis
        memoryRequestedBytes[node.i] += spec.launcherMemoryRequestBytes
        launchers[node.i].append(vm)
        vmStatus[vm.i].vmi?.node = node
        countPod(of: vm, on: node, 1)
    }

    /// Removes the launcher pod from its node (pod gone, or completed after a migration).
    public mutating func unbindLauncher(_ vm: VMID, from node: NodeID, leavingCompletedPod: Bool = false) {
        let spec = vms[vm.i]
        cpuRequestedMillis[node.i] -= spec.launcherCPURequestMillis
        memoryRequestedBytes[node.i] -= spec.launcherMemoryRequestBytes
        if let k = launchers[node.i].firstIndex(of: vm) { launchers[node.i].remove(at: k) }
        countPod(of: vm, on: node, -1)
        if leavingCompletedPod { completedSourcePods[node.i].append(vm) }
    }

    public mutating func removeCompletedPod(_ vm: VMID, from node: NodeID) {
        if let k = completedSourcePods[node.i].firstIndex(of: vm) { completedSourcePods[node.i].remove(at: k) }
    }

    public mutating func bindMigrationTarget(_ m: MigrationID, to node: NodeID) {
        let spec = vms[migrations[m.i].vm.i]
        cpuRequestedMillis[node.i] += spec.launcherCPURequestMillis
        memoryRequestedBytes[node.i] += spec.launcherMemoryRequestBytes
        migrationTargets[node.i].append(m)
        migrations[m.i].target = node
        countPod(of: migrations[m.i].vm, on: node, 1)
    }

    public mutating func unbindMigrationTarget(_ m: MigrationID) {
        guard let node = migrations[m.i].target else { return }
        let spec = vms[migrations[m.i].vm.i]
        cpuRequestedMillis[node.i] -= spec.launcherCPURequestMillis
        memoryRequestedBytes[node.i] -= spec.launcherMemoryRequestBytes
        if let k = migrationTargets[node.i].firstIndex(of: m) { migrationTargets[node.i].remove(at: k) }
        countPod(of: migrations[m.i].vm, on: node, -1)
    }

    /// Moves a migration's phase and keeps the limit counters in step.
    public mutating func setMigrationPhase(_ m: MigrationID, _ next: MigrationPhase, at now: SimTime) {
        let before = migrations[m.i].phase
        migrations[m.i].transition(to: next, at: now)
        let source = migrations[m.i].source
        if before.countsTowardLimits != next.countsTowardLimits {
            let delta = next.countsTowardLimits ? 1 : -1
            migrationsInFlight += delta
            outboundInFlight[source.i] += delta
        }
        if before == .Pending, let k = pendingMigrations.firstIndex(of: m) { pendingMigrations.remove(at: k) }
        if before == .Running, let k = transfers.firstIndex(of: m) { transfers.remove(at: k) }
        if next == .Running { transfers.append(m) }
    }
}

import SimKernel
