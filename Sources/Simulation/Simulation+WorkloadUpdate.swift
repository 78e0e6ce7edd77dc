import ClusterModel
import Controllers
import Scenarios
import SimKernel

/// The workload updater after a KubeVirt upgrade (R8, reference §8): outdated virt-launchers are
/// live-migrated a few at a time, sharing the migration queue and limits (the same priority as evacuations), and,
/// with `Evict`, the non-migratable ones are evicted in batches.
extension Simulation {
    mutating func startWorkloadUpdate(_ spec: WorkloadUpdate) {
        var outdated = 0
        for i in state.vmStatus.indices where state.vmStatus[i].vmi.map({ !$0.phase.isFinal }) ?? false {
            state.vmStatus[i].outdated = true
            outdated += 1
        }
        workloadUpdate = spec
        record.workloadUpdate = WorkloadUpdateRecord(startedAt: now, outdatedAtStart: outdated)
        trace("KubeVirt upgraded: \(outdated) virt-launcher(s) outdated")
        schedule(at: now, .workloadUpdatePass)
    }

    /// One pass: migrations for the free slots (parallelMigrationsPerCluster minus the unfinished
    /// ones), in random order; evictions at most once per batchEvictionInterval.
    mutating func workloadUpdatePass() {
        guard let spec = workloadUpdate, record.workloadUpdate?.finishedAt == nil else { return }
        let outdated = state.vmStatus.indices.filter { state.vmStatus[$0].outdated }.map(VMID.init)
        if outdated.isEmpty {
            let t = now
            record.workloadUpdate?.finishedAt = t
            changes += 1
            trace("workload update finished: no outdated virt-launcher left")
            return
        }
        var progressed = false
        let ready = outdated.filter { vm in
            guard let vmi = state.vmStatus[vm.i].vmi, vmi.phase == .Running, !vmi.terminating, let node = vmi.node else { return false }
            return state.health[node.i].running && state.health[node.i].reachable
        }
        if spec.liveMigrate {
            let slots = state.config.liveMigration.parallelMigrationsPerCluster - state.migrationsInFlight - state.pendingMigrations.count
            var candidates = ready.filter { state.liveMigratable[$0.i].isMigratable && state.vmStatus[$0.i].vmi?.migration == nil }
            shuffle(&candidates)
            for vm in candidates.prefix(max(0, slots)) {
                createMigration(vm, trigger: .workloadUpdate)
                progressed = true
            }
        }
        if spec.evict, lastWorkloadEvictionAt.map({ now >= $0 + spec.batchEvictionInterval }) ?? true {
            var evicted = 0
            for vm in ready where !state.liveMigratable[vm.i].isMigratable && evicted < spec.batchEvictionSize {
                guard let node = state.vmStatus[vm.i].vmi?.node else { continue }
                if EvictionWebhook.evict(vm, podNode: node, in: state) == .allowed {
                    beginShutdown(vm, cause: "evicted by the workload update (outdated virt-launcher)")
                    evicted += 1
                }
            }
            if evicted > 0 {
                lastWorkloadEvictionAt = now
                progressed = true
            }
        }
        if progressed { changes += 1 }
        workloadUpdateIdleAt = changes
        schedule(after: .seconds(5), .workloadUpdatePass)
    }

    /// Fisher-Yates with the run's own stream: the order is random but replays with the seed.
    mutating func shuffle(_ a: inout [VMID]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = Int(workloadRandom.next(upToInclusive: UInt64(i)))
            a.swapAt(i, j)
        }
    }
}
