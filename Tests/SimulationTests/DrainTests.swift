import ClusterModel
import Scenarios
import Simulation
import SimKernel
import Testing

@Suite struct DrainTests {
    private let rwoVM =
        threeWorkers + """
            persistentVolumeClaims: [{name: db-1, size: 100Gi, accessModes: [ReadWriteOnce]}]
            vms:
              - {name: db-1, cpu: 8, memory: 32Gi, runStrategy: Always, node: worker-0,
                 volumes: [{persistentVolumeClaim: {claimName: db-1}}]}

            """

    @Test func liveMigrateOnReadWriteOnceBlocksTheDrainAndSaysWhy() throws {
        let r = try simulate(rwoVM + "timeline: [{at: 2m, nodeMaintenance: {node: worker-0}}]")
        let drain = try #require(r.blockedDrains.first)
        #expect(drain.phase == .Running)
        #expect(drain.blockers.map(\.reason) == ["LiveMigrate and DisksNotLiveMigratable: PVC db-1 is ReadWriteOnce"])
        #expect(drain.drainProgress == 0)
        #expect(r.state.nodes[0].unschedulable)
        // Nothing is marked, nothing migrates, the VM keeps running.
        #expect(r.state.migrations.isEmpty)
        #expect(!r.isDown(r.vm("db-1")))
        // The cluster went quiet: the run ends instead of retrying evictions forever.
        #expect(r.stopReason == "done")
    }

    /// NMO bounds each drain attempt at 30 s then pauses 5 s: evictions at 2:00, 2:05 … 2:25, attempt
    /// over at 2:30, next attempt at 2:35 (the one after that at 3:10). lastError is written when an
    /// attempt ends.
    @Test func nodeMaintenanceRecordsLastErrorWhenAnAttemptTimesOut() throws {
        let r = try simulate(rwoVM + "stopAt: 2m50s\ntimeline: [{at: 2m, nodeMaintenance: {node: worker-0}}]")
        let drain = try #require(r.state.drains.first)
        #expect(drain.attemptStartedAt == ms(155_000))
        #expect(drain.lastError?.hasPrefix("drain attempt timed out after 30s; db-1: LiveMigrate and DisksNotLiveMigratable") == true)
        #expect(drain.pendingPods == [.vm(r.vm("db-1"))])
    }

    /// `oc adm drain --timeout 2m` gives up at 2:00 + 2 m = 4:00 and leaves the node cordoned.
    @Test func ocAdmDrainGivesUpAtItsTimeout() throws {
        let r = try simulate(rwoVM + "timeline: [{at: 2m, drain: {node: worker-0, timeout: 2m}}]")
        let drain = try #require(r.state.drains.first)
        #expect(drain.phase == .Failed)
        #expect(drain.finishedAt == ms(240_000))
        #expect(r.state.nodes[0].unschedulable)
        #expect(r.blockedDrains.isEmpty)
    }

    /// Migrated VMs leave Completed source pods; the next eviction pass removes them. The last
    /// migration ends at 2:16.502 (MigrationTests); with NMO's cadence (passes at 1:00 … 1:25,
    /// 1:35 … 2:00, 2:10 … 2:30) the last pod goes at 2:20: 80 s of maintenance.
    @Test func theDrainFinishesAtTheEvictionPassAfterTheLastMigration() throws {
        let r = try simulate(fourWebVMsDrainedFromWorker0)
        #expect(r.state.drains[0].phase == .Succeeded)
        #expect(r.state.drains[0].finishedAt == ms(140_000))
        let span = try #require(r.maintenanceSpan)
        #expect(span.to - span.from == .seconds(80))
    }

    /// Three control-plane nodes: etcd keeps quorum with two, so NMO's webhook (etcd-guard-pdb) admits
    /// one NodeMaintenance at a time: master-1's at 2:00 is refused while master-0's exists, admitted
    /// at 4:00 after it was deleted at 3:00, and at 6:00 master-0's is refused because master-2 has
    /// been down (kernel panic, Ready Unknown after 50 s) since 5:00 — and master-1 is still in maintenance.
    @Test func aControlPlaneNodeMaintenanceThatWouldBreakEtcdQuorumIsRefused() throws {
        let r = try simulate(
            """
            nodes:
              - {name: "master-{i}", count: 3, role: control-plane, cpu: "16", memory: 64Gi}
              - {name: "worker-{i}", count: 2, cpu: "32", memory: 128Gi}
            timeline:
              - {at: 1m, nodeMaintenance: {node: master-0}}
              - {at: 2m, nodeMaintenance: {node: master-1}}
              - {at: 3m, deleteNodeMaintenance: master-0}
              - {at: 4m, nodeMaintenance: {node: master-1}}
              - {at: 5m, kernelPanic: master-2}
              - {at: 6m, nodeMaintenance: {node: master-0, name: again}}
            """)
        #expect(r.state.drains.map { r.state.nodes[$0.node.i].name } == ["master-0", "master-1"])
        #expect(
            r.notices.map(\.text) == [
                "NodeMaintenance nm-master-1 refused by the admission webhook: etcd would lose quorum: the etcd guard allows 1 of 3 "
                    + "control-plane nodes unavailable and master-0 already is",
                "NodeMaintenance again refused by the admission webhook: etcd would lose quorum: the etcd guard allows 1 of 3 "
                    + "control-plane nodes unavailable and master-1, master-2 already are",
            ])
    }

    @Test func aSecondNodeMaintenanceForOneNodeIsRefused() throws {
        let r = try simulate(
            rwoVM + """
                timeline:
                  - {at: 1m, nodeMaintenance: {node: worker-0}}
                  - {at: 2m, nodeMaintenance: {node: worker-0, name: again}}
                """)
        #expect(r.state.drains.count == 1)
        #expect(
            r.notices.map(\.text) == [
                "NodeMaintenance again refused by the admission webhook: a NodeMaintenance for worker-0 already exists"
            ])
    }

    /// Deleting the NodeMaintenance uncordons the node; the blocked drain ends Cancelled.
    @Test func deletingTheNodeMaintenanceUncordonsTheNode() throws {
        let r = try simulate(
            rwoVM + """
                timeline:
                  - {at: 1m, nodeMaintenance: {node: worker-0}}
                  - {at: 10m, deleteNodeMaintenance: worker-0}
                """)
        #expect(r.state.drains[0].phase == .Cancelled)
        #expect(r.state.drains[0].endedAt == ms(600_000))
        #expect(!r.state.nodes[0].unschedulable)
        #expect(r.state.drains[0].blockers.count == 1)
    }

    /// Evicting a None VM shuts its guest down (10 s); the drain is done when the pod is gone.
    @Test func anEvictionStrategyNoneVMIsShutDownAndTheDrainCompletes() throws {
        let r = try simulate(
            threeWorkers + """
                vms: [{name: a, cpu: 2, memory: 4Gi, runStrategy: Always, evictionStrategy: None, node: worker-0}]
                timeline: [{at: 1m, drain: worker-0}]
                """)
        #expect(r.state.drains[0].finishedAt == ms(70_000))
    }

    /// A rolling maintenance walks the nodes one at a time: each NodeMaintenance is deleted 10 m after
    /// its drain finished, and only then does the next one start.
    @Test func aRollingMaintenanceTakesOneNodeAtATime() throws {
        let r = try simulate(
            threeWorkers + """
                timeline: [{at: 0s, rollingMaintenance: {role: worker, maxUnavailable: 1, maintenanceDuration: 10m}}]
                """)
        // Empty nodes drain at once: 0:00, 10:00, 20:00; the last CR is deleted at 30:00.
        #expect(r.state.drains.map(\.requestedAt) == [ms(0), ms(600_000), ms(1_200_000)])
        #expect(r.maintenanceSpan.map { $0.to - $0.from } == .minutes(30))
    }
}

@Suite struct DrainTargetPodTests {
    /// worker-1 is drained while a migration's target pod sits on it (evicting a target is denied):
    /// the migration is aborted by its completion timeout (20 s/GiB × 5 GB = 100 s after it starts at
    /// 1:01 + 20 s, so at 3:01), its target pod goes, and worker-1's drain finishes at that moment,
    /// not at its next eviction pass (3:05).
    @Test func aDrainWaitingOnlyForAMigrationTargetFinishesWhenThatMigrationFails() throws {
        let r = try simulate(
            """
            stopAt: 10m
            cluster: {liveMigration: {completionTimeoutPerGiB: 20}}
            nodes: [{name: "w-{i}", count: 2, cpu: "32", memory: 128Gi, migrationLink: 1Gbps}]
            persistentVolumeClaims: [{name: d, size: 10Gi, accessModes: [ReadWriteMany]}]
            vms:
              - {name: slow, cpu: 2, memory: 4Gi, dirtyRate: 100MiB/s, runStrategy: Always, node: w-0,
                 volumes: [{persistentVolumeClaim: {claimName: d}}]}
            timeline:
              - {at: 1m1s, migrate: slow}
              - {at: 2m, drain: w-1}
            """)
        let drain = try #require(r.state.drains.first)
        #expect(drain.phase == .Succeeded)
        #expect(drain.finishedAt == ms(181_000))
    }
}

/// Regressions found by adversarial runs (issue 8): evictions that end the drain during its own pass.
@Suite struct DrainEndsOnceTests {
    /// 1:00 the guest shuts down; Always restarts it at once on worker-0 (all nodes tie, the first
    /// wins), where its launcher is still starting when the NodeMaintenance of 1:00 evicts it
    /// (evictionStrategy None allows it). That VMI never ran: crash-loop backoff 10 s + U(0, 5 s),
    /// 1.475 s with seed 1, so the next VMI is created at 1:11.475 on worker-1, starts 20 s later and
    /// boots in 30 s: up at 2:01.475, down 61.475 s. The last pod left during the first pass, so the
    /// drain succeeded at 1:00, once.
    @Test(arguments: ["guestShutdown", "guestCrash"])
    func aPodThatLeavesDuringTheFirstPassEndsTheDrainOnce(_ stop: String) throws {
        for drain in ["nodeMaintenance: {node: worker-0}", "drain: worker-0"] {
            let r = try simulate(
                threeWorkers + """
                    cluster: {evictionStrategy: None}
                    vms: [{name: app, cpu: 2, memory: 4Gi, runStrategy: Always, node: worker-0}]
                    timeline: [{at: 1m, \(stop): app}, {at: 1m, \(drain)}]
                    """, seed: 1)
            #expect(r.state.drains.map(\.phase) == [.Succeeded])
            #expect(r.state.drains.first?.finishedAt == ms(60_000))
            #expect(r.state.vmStatus[0].vmi?.node == NodeID(1))
            #expect(r.downtime(of: r.vm("app")) == SimDuration(milliseconds: 61_475))
        }
    }

    /// A single-node cluster (default strategy None): the same, but nowhere to restart; the VM waits.
    @Test func onASingleNodeTheEvictedVMWaitsForTheNode() throws {
        let r = try simulate(
            """
            nodes: [{name: sno, cpu: "16", memory: 64Gi}]
            vms: [{name: app, cpu: 2, memory: 4Gi, runStrategy: Always}]
            timeline: [{at: 1m, guestShutdown: app}, {at: 1m, nodeMaintenance: {node: sno}}]
            """)
        #expect(r.state.drains.map(\.phase) == [.Succeeded])
        #expect(r.isDown(r.vm("app")))
    }
}

/// Runs are bounded (issue 8): a quiet run jumps to its stopAt; a run's journal has a limit.
@Suite struct BoundedRunTests {
    /// A drain blocked by an RWO disk for ten years: nothing changes after its first pass, so the
    /// run ends at stopAt after a handful of events, not 63 million polls.
    @Test func aQuietRunEndsExactlyAtStopAtWithoutPollingToIt() throws {
        let text =
            threeWorkers + """
                persistentVolumeClaims: [{name: d, size: 1Gi, accessModes: [ReadWriteOnce]}]
                vms: [{name: db, cpu: 1, memory: 1Gi, runStrategy: Always, node: worker-0, volumes: [{persistentVolumeClaim: {claimName: d}}]}]
                stopAt: 3650d
                timeline: [{at: 1m, nodeMaintenance: {node: worker-0}}]
                """
        let r = try simulate(text)
        #expect(r.endTime == SimTime.zero + .minutes(3650 * 1440))
        #expect(r.eventsProcessed < 10)
        #expect(r.blockedDrains.count == 1)
    }

    /// A kernel panic every 1 ms and a repair 1 ms later: the journal grows without end, so the run
    /// stops at the history limit and says so.
    @Test func aRunThatHitsItsHistoryLimitStopsAndNamesIt() throws {
        let scenario = try ScenarioLoader.load(
            text: threeWorkers + """
                stopAt: 1h
                failures: [{name: storm, fault: kernelPanic, timeBetweenFailures: {constant: 1ms}, timeToRepair: {constant: 1ms}}]
                """, file: "storm.yaml")
        var options = SimulationOptions()
        options.historyLimit = 1000
        var sim = Simulation(scenario: scenario, options: options)
        let r = sim.run()
        #expect(r.stopReason.hasPrefix("history limit: more than 1000 recorded entries"))
        #expect(r.endTime < SimTime.zero + .minutes(60))
    }
}
