import ClusterModel
import Controllers
import SimKernel
import Testing

@Suite struct WorkloadUpdateTests {
    private let cluster = """
        nodes: [{name: "w-{i}", count: 4, cpu: "64", memory: 256Gi}]
        persistentVolumeClaims: [{name: "d-{i}", count: 12, size: 10Gi, accessModes: [ReadWriteMany]}]
        vms:
          - {name: "app-{i}", count: 12, cpu: 1, memory: 2Gi, runStrategy: Always, volumes: [{persistentVolumeClaim: {claimName: "d-{i}"}}]}
          - {name: pinned, cpu: 1, memory: 2Gi, runStrategy: Always, hostDevices: [gpu]}

        """

    /// 12 migratable VMs, 5 slots: the first pass creates 5 workload-update migrations (never more
    /// than parallelMigrationsPerCluster unfinished); all 12 are moved in the end. The non-migratable
    /// VM is not evicted without the Evict method: it stays outdated.
    @Test func outdatedLaunchersAreMigratedWithinTheClusterLimit() throws {
        let r = try simulate(cluster + "timeline: [{at: 1m, workloadUpdate: {}}]")
        let updates = r.state.migrations.filter { $0.trigger == .workloadUpdate }
        #expect(updates.filter { $0.createdAt == ms(60_000) }.count == 5)
        #expect(updates.filter { $0.phase == .Succeeded }.count == 12)
        #expect(r.workloadUpdate?.outdatedAtStart == 13)
        #expect(r.workloadUpdate?.outdatedAtEnd == 1)
        #expect(r.workloadUpdate?.finishedAt == nil)
        #expect(r.state.vmStatus[r.vm("pinned").i].outdated)
    }

    /// With Evict, the non-migratable VM (its strategy None here, so the webhook allows the eviction)
    /// is shut down and restarted on a current launcher; the update then finishes.
    @Test func evictRestartsTheNonMigratableOnes() throws {
        let r = try simulate(
            cluster.replacingOccurrences(of: "hostDevices: [gpu]}", with: "hostDevices: [gpu], evictionStrategy: None}")
                + "timeline: [{at: 1m, workloadUpdate: {methods: [LiveMigrate, Evict]}}]")
        #expect(r.restarts[r.vm("pinned").i] == 1)
        #expect(r.workloadUpdate?.outdatedAtEnd == 0)
        #expect(r.workloadUpdate?.finishedAt != nil)
    }

    /// Workload updates and evacuations are both system-critical (100) on KubeVirt 1.9
    /// (workload-updater.go), so they interleave in creation order; a user's migration (0) goes last.
    /// Without the priority queue (≤ 1.8) creation order alone decides.
    @Test func workloadUpdatesAndEvacuationsShareThePendingQueueInCreationOrder() throws {
        var state = try simulate(cluster).state
        let update = VirtualMachineInstanceMigration(
            ordinal: 1, vm: VMID(0), trigger: .workloadUpdate, source: NodeID(0), createdAt: .zero, holdUntil: .zero)
        let evacuation = VirtualMachineInstanceMigration(
            ordinal: 1, vm: VMID(1), trigger: .evacuation(NodeID(0)), source: NodeID(0), createdAt: .zero, holdUntil: .zero)
        let manual = VirtualMachineInstanceMigration(
            ordinal: 2, vm: VMID(1), trigger: .manual, source: NodeID(0), createdAt: .zero, holdUntil: .zero)
        state.migrations = [manual, update, evacuation]
        let all = [MigrationID(0), MigrationID(1), MigrationID(2)]
        #expect(MigrationController.queueOrder(all, in: state) == all)
        state.config.profile = .hco119
        #expect(MigrationController.queueOrder(all, in: state) == [MigrationID(1), MigrationID(2), MigrationID(0)])
    }
}
