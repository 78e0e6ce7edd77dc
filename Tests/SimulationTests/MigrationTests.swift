import ClusterModel
import Controllers
import SimKernel
import Testing

@Suite struct MigrationTests {
    /// Four 8 GiB VMs dirtying 100 MiB/s leave worker-0 two at a time over a 10 Gbit/s link.
    /// Two transfers share worker-0's link: 1.25e9 / 2 = 625e6 B/s each (targets are alone on theirs).
    ///   round 1: 8 GiB = 8,589,934,592 B / 625e6 → 13,744 ms; dirtied 104,857,600 × 13.744 = 1,441,161,216 B
    ///   round 2: → 2,306 ms; dirtied 241,801,625 B (> 625e6 × 0.3 s = 187.5e6, no stop yet)
    ///   round 3: → 387 ms; dirtied 40,579,891 B ≤ 187.5e6 → stop-and-copy of 40,579,891 / 625e6 → 65 ms pause
    /// NodeMaintenance at 1:00, target pods start in 20 s → transfer 1:20, converged 1:36.437, done 1:36.502.
    @Test func preCopyRoundsOverASharedLinkGiveTheHandWorkedPause() throws {
        let r = try simulate(fourWebVMsDrainedFromWorker0)
        let m = try #require(r.migrations(of: "web-0").first)
        #expect(m.phase == .Succeeded)
        #expect(m.transfer?.rounds == 3)
        #expect(m.pause == SimDuration(milliseconds: 65))
        #expect(m.endedAt == ms(96_502))
        #expect(r.downtime(of: r.vm("web-0")) == SimDuration(milliseconds: 65))
        // web-2 and web-3 wait Pending for an outbound slot until 1:36.502, then take the same 36.502 s.
        // hco-1.18 (KubeVirt 1.8, no priority queue): the evacuation controller creates migrations only
        // into free slots and looks at the node every 5 s; web-2 and web-3 get theirs at the first look
        // after 1:36.502, 1:40, and take the same 36.502 s: 2:16.502. Nothing ever waits Pending.
        #expect(r.migrations(of: "web-2").first?.createdAt == ms(100_000))
        #expect(r.migrations(of: "web-2").first?.endedAt == ms(100_000 + 36_502))
        #expect(r.peakPendingMigrations == 1)
        #expect(r.longestPendingWait == .zero)
    }

    /// The same on hco-1.19 (KubeVirt 1.9, priority queue) with two outbound migrations per node: all
    /// four are created at 1:00, web-2 and web-3 wait Pending until 1:36.502 and start at once: done
    /// at 1:36.502 + 36.502 s = 2:13.004; two Pending at the peak, waiting 36.502 s.
    @Test func onKubeVirt19EvacuationCreatesEveryMigrationAtOnce() throws {
        let r = try simulate(
            fourWebVMsDrainedFromWorker0 + "\ncluster: {profile: hco-1.19, liveMigration: {parallelOutboundMigrationsPerNode: 2}}")
        #expect(r.migrations(of: "web-2").first?.createdAt == ms(60_000))
        #expect(r.migrations(of: "web-2").first?.endedAt == ms(96_502 + 36_502))
        #expect(r.peakPendingMigrations == 2)
        #expect(r.longestPendingWait == SimDuration(milliseconds: 36_502))
    }

    /// Auto-converge as QEMU does it (migration/ram.c, migration_trigger_throttle): a 2 GiB guest
    /// (W = 2,147,483,648 B) dirtying 150e6 B/s alone on 1 Gbit/s (b = 125e6 B/s). Every round is
    /// a sync ≥ 1 s after the last until round 13; "high" = dirtied > half of what was sent; the
    /// second high period throttles (20 %, then +10 %) and the count restarts:
    ///   round  sent (B)        t (ms)  dirtied (B)     high  throttle after
    ///    1     2,147,483,648   17,180  2,147,483,648   1     0
    ///    2     2,147,483,648   17,180  2,147,483,648   2     20 % (120e6 B/s)
    ///    3     2,147,483,648   17,180  2,061,600,000   1     20
    ///    4     2,061,600,000   16,493  1,979,160,000   2     30 % (105e6)
    ///    5     1,979,160,000   15,834  1,662,570,000   1     30
    ///    6     1,662,570,000   13,301  1,396,605,000   2     40 % (90e6)
    ///    7     1,396,605,000   11,173  1,005,570,000   1     40
    ///    8     1,005,570,000    8,045    724,050,000   2     50 % (75e6)
    ///    9       724,050,000    5,793    434,475,000   1     50
    ///   10       434,475,000    3,476    260,700,000   2     60 % (60e6)
    ///   11       260,700,000    2,086    125,160,000   0 (125.16e6 < 130.35e6)
    ///   12       125,160,000    1,002     60,120,000   0 (> bΔ = 37.5e6: one more round)
    ///   13        60,120,000      481     28,860,000   ≤ 37.5e6: stop-and-copy, ⌈230.88⌉ = 231 ms
    /// Transfer 129,224 ms + pause 231 ms = 129,455 ms after the transfer began at 0:20.
    /// (drainsim used to throttle from round 2 on, 20 % then +10 % every round.)
    @Test func autoConvergeThrottlesAtEverySecondHighDirtyPeriodAsQEMUDoes() throws {
        let r = try simulate(
            """
            cluster: {liveMigration: {allowAutoConverge: true}}
            nodes: [{name: "w-{i}", count: 2, cpu: "32", memory: 128Gi, migrationLink: 1Gbps}]
            persistentVolumeClaims: [{name: d, size: 10Gi, accessModes: [ReadWriteMany]}]
            vms: [{name: v, cpu: 2, memory: 2Gi, dirtyRate: "150000000", runStrategy: Always, node: w-0,
                   volumes: [{persistentVolumeClaim: {claimName: d}}]}]
            timeline: [{at: 0s, migrate: v}]
            """)
        let m = try #require(r.migrations(of: "v").first)
        #expect(m.phase == .Succeeded)
        #expect(m.transfer?.rounds == 13)
        #expect(m.transfer?.throttlePercent == 60)
        #expect(m.pause == SimDuration(milliseconds: 231))
        #expect(m.endedAt == ms(20_000 + 129_455))
    }

    /// QEMU sends never-touched pages as headers only, so round 1 moves the memory in use, not the
    /// guest's size (audit #27). A quiet 64 GiB guest alone on 10 Gbit/s (1.25e9 B/s), virtctl migrate
    /// at 0:00, target started at 0:20:
    ///   all in use: 68,719,476,736 B → ⌈54,975.6⌉ = 54,976 ms, nothing dirtied, pause 0 → done 1:14.976
    ///   8 GiB in use: 8,589,934,592 B → ⌈6,871.9⌉ = 6,872 ms → done 0:26.872
    /// The completion timeout still counts the guest's size (KubeVirt `getVMIMigrationDataSize`):
    /// 150 × ⌈68.7 GB⌉ = 10,350 s either way.
    /// A containerDisk migrates what was written to its overlay (1 GiB here), not its image size:
    /// 9 GiB → ⌈7,730.9⌉ = 7,731 ms → done 0:27.731.
    @Test func roundOneSendsTheMemoryInUseAndTheLocalDisksWrittenData() throws {
        func migrated(_ extra: String) throws -> VirtualMachineInstanceMigration {
            let r = try simulate(
                """
                nodes: [{name: "w-{i}", count: 2, cpu: "64", memory: 256Gi, migrationLink: 10Gbps}]
                persistentVolumeClaims: [{name: d, size: 10Gi, accessModes: [ReadWriteMany]}]
                vms: [{name: v, cpu: 4, memory: 64Gi, runStrategy: Always, node: w-0\(extra)}]
                timeline: [{at: 0s, migrate: v}]
                """)
            return try #require(r.migrations(of: "v").first)
        }
        let pvc = ", volumes: [{persistentVolumeClaim: {claimName: d}}]"
        let whole = try migrated(pvc)
        let used = try migrated(", memoryInUse: 8Gi" + pvc)
        let disk = try migrated(", memoryInUse: 8Gi, volumes: [{containerDisk: {image: x, size: 20Gi, written: 1Gi}}]")
        #expect(whole.endedAt == ms(74_976) && used.endedAt == ms(26_872) && disk.endedAt == ms(27_731))
        #expect([whole, used, disk].allSatisfy { $0.phase == .Succeeded && $0.pause == .zero })
        let timeout = { (m: VirtualMachineInstanceMigration) in
            MigrationController.completionTimeout(dataBytes: m.transfer?.dataBytes ?? 0, perGiB: 150)
        }
        #expect(timeout(whole) == .seconds(10_350) && timeout(used) == .seconds(10_350))
    }

    /// 20 VMs on one node. hco-1.18: the evacuation controller creates only what the outbound limit
    /// (2) lets start, so at most one migration is ever seen Pending (for the instant before it gets
    /// its target). hco-1.19 (outbound 1): all 20 are created at once, 19 queue Pending.
    @Test func thePendingQueueFollowsTheRelease() throws {
        let yaml = """
            nodes: [{name: "w-{i}", count: 4, cpu: "96", memory: 512Gi}]
            persistentVolumeClaims: [{name: "d-{i}", count: 20, size: 10Gi, accessModes: [ReadWriteMany]}]
            vms:
              - {name: "vm-{i}", count: 20, cpu: 2, memory: 4Gi, runStrategy: Always, node: w-0,
                 volumes: [{persistentVolumeClaim: {claimName: "d-{i}"}}]}
            timeline: [{at: 1m, nodeMaintenance: {node: w-0}}]
            """
        for (profile, peak) in [("hco-1.18", 1), ("hco-1.19", 19)] {
            let r = try simulate(yaml + "\ncluster: {profile: \(profile)}")
            #expect(r.peakPendingMigrations == peak, "\(profile)")
            #expect(r.migrationsSucceeded == 20)
            #expect(r.blockedDrains.isEmpty)
        }
    }

    /// A guest that dirties its whole 1 GiB working set faster than 1 Gbit/s (125e6 B/s) can send it
    /// never converges, but bytes keep flowing, so virt-launcher's progress rule (each 400 ms sample
    /// of DataRemaining against the previous one) never fires: it runs to the completion timeout,
    /// 150 s × ⌈4 GiB = 4.29 GB⌉ = 750 s after the transfer began at 1:20 → failed at 13:50, holding
    /// its slots all that time. The evacuation creates the next migration at once (held 20 s by the backoff).
    @Test func aMigrationThatCannotConvergeRunsToTheCompletionTimeout() throws {
        let r = try simulate(
            """
            stopAt: 20m
            nodes: [{name: "w-{i}", count: 2, cpu: "32", memory: 128Gi, migrationLink: 1Gbps}]
            persistentVolumeClaims: [{name: d, size: 10Gi, accessModes: [ReadWriteMany]}]
            vms:
              - {name: hot, cpu: 2, memory: 4Gi, workingSet: 1Gi, dirtyRate: 200MiB/s, runStrategy: Always, node: w-0,
                 volumes: [{persistentVolumeClaim: {claimName: d}}]}
            timeline: [{at: 1m, nodeMaintenance: {node: w-0}}]
            """)
        let m = try #require(r.migrations(of: "hot").first)
        #expect(m.phase == .Failed)
        #expect(m.endedAt == ms(830_000))
        #expect(m.failureReason == "completion timeout 12m30s (completionTimeoutPerGiB 150 × 5 GB)")
        #expect(r.migrations(of: "hot").count == 2 && r.migrations(of: "hot").last?.createdAt == ms(830_000))
        #expect(r.blockedDrains.count == 1)
    }

    /// The audit's case (hco-1.18, allowPostCopy): a 16 GiB guest dirtying 1.5 GB/s on 10 Gbit/s
    /// (1.25e9 B/s) never converges by pre-copy. Each round re-sends all 17,179,869,184 B in
    /// ⌈13,743.9⌉ = 13,744 ms. The completion timeout, 150 × ⌈17.18 GB⌉ = 2,700 s after the transfer
    /// began at 1:20, switches to post-copy at 46:20: 196 rounds took 2,693,824 ms, round 197 had sent
    /// 6,176 ms × 1.25e9 = 7.72e9 B, so 9,459,869,184 B follow in ⌈7,567.9⌉ = 7,568 ms: the VMI runs on
    /// w-1 from 46:27.568 and the drain completes. Before, the progress timeout aborted it at 150 s forever.
    @Test func postCopyCompletesADrainThatPreCopyCannot() throws {
        let r = try simulate(
            """
            stopAt: 2h
            cluster: {profile: hco-1.18, liveMigration: {allowPostCopy: true}}
            nodes: [{name: "w-{i}", count: 2, cpu: "32", memory: 128Gi, migrationLink: 10Gbps}]
            persistentVolumeClaims: [{name: d, size: 10Gi, accessModes: [ReadWriteMany]}]
            vms:
              - {name: db, cpu: 4, memory: 16Gi, dirtyRate: "1500000000", runStrategy: Always, node: w-0,
                 volumes: [{persistentVolumeClaim: {claimName: d}}]}
            timeline: [{at: 1m, nodeMaintenance: {node: w-0}}]
            """)
        let m = try #require(r.migrations(of: "db").first)
        #expect(r.migrations(of: "db").count == 1)
        #expect(m.postCopyStartedAt == ms(2_780_000))
        #expect(m.endedAt == ms(2_787_568))
        #expect(m.phase == .Succeeded)
        #expect(r.blockedDrains.isEmpty && r.state.drains.first?.phase == .Succeeded)
    }

    /// With completionTimeoutPerGiB 20 a 4 GiB guest may take 20 × ceil(4.29 GB) = 100 s. At 100 MiB/s
    /// against 125e6 B/s each round shrinks only to 84 %, so pre-copy needs about 213 s: aborted at 100 s
    /// (1:20 + 100 s = 3:00), the VM keeps running on its source.
    @Test func aMigrationThatTakesTooLongFailsByTheCompletionTimeout() throws {
        let r = try simulate(slowMigration(postCopy: false))
        let m = try #require(r.migrations(of: "slow").first)
        #expect(m.phase == .Failed)
        #expect(m.endedAt == ms(180_000))
        #expect(m.failureReason == "completion timeout 1m40s (completionTimeoutPerGiB 20 × 5 GB)")
        #expect(r.state.vmStatus[r.vm("slow").i].vmi?.node == NodeID(0))
    }

    /// The same migration with allowPostCopy switches to post-copy at 3:00 and finishes without a pause.
    @Test func postCopyFinishesAMigrationThePreCopyCouldNot() throws {
        let r = try simulate(slowMigration(postCopy: true))
        let m = try #require(r.migrations(of: "slow").first)
        #expect(m.phase == .Succeeded)
        #expect(m.postCopy)
        #expect(m.pause == .zero)
        #expect(r.state.vmStatus[r.vm("slow").i].vmi?.node == NodeID(1))
    }

    private func slowMigration(postCopy: Bool) -> String {
        """
        stopAt: 10m
        cluster: {liveMigration: {completionTimeoutPerGiB: 20, allowPostCopy: \(postCopy)}}
        nodes: [{name: "w-{i}", count: 2, cpu: "32", memory: 128Gi, migrationLink: 1Gbps}]
        persistentVolumeClaims: [{name: d, size: 10Gi, accessModes: [ReadWriteMany]}]
        vms:
          - {name: slow, cpu: 2, memory: 4Gi, dirtyRate: 100MiB/s, runStrategy: Always, node: w-0,
             volumes: [{persistentVolumeClaim: {claimName: d}}]}
        timeline: [{at: 1m, migrate: slow}]
        """
    }

    /// KubeVirt's decimal ceiling: a 4 GiB guest counts as 5 GB → 750 s at 150 s/GiB; 8 GiB → 9 GB → 1350 s.
    @Test func theCompletionTimeoutRoundsTheSizeUpInDecimalGigabytes() {
        #expect(MigrationController.completionTimeout(dataBytes: 4 << 30, perGiB: 150) == .seconds(750))
        #expect(MigrationController.completionTimeout(dataBytes: 8 << 30, perGiB: 150) == .seconds(1350))
    }

    /// 20 s, doubled per consecutive failure, capped at 320 s (5 finished migrations kept per VMI).
    @Test func theEvacuationRetryBackoffDoublesUpTo320Seconds() {
        let backoff = (1...7).map { MigrationController.evacuationBackoff(failures: $0).milliseconds / 1000 }
        #expect(backoff == [20, 40, 80, 160, 320, 320, 320])
    }

    /// worker-1 has room for one 48 Gi VM: the second migration's target pod is unschedulable, fails
    /// after 300 s (1:00 → 6:00), and the evacuation controller retries after 20 s: Scheduling again at 6:20.
    @Test func anUnschedulableTargetFailsAfter300SecondsAndIsRetriedWithBackoff() throws {
        let r = try simulate(
            """
            stopAt: 8m
            nodes:
              - {name: worker-0, cpu: "32", memory: 128Gi}
              - {name: worker-1, cpu: "32", memory: 64Gi}
            persistentVolumeClaims: [{name: "b-{i}", count: 2, size: 10Gi, accessModes: [ReadWriteMany]}]
            vms:
              - {name: "big-{i}", count: 2, cpu: 8, memory: 48Gi, runStrategy: Always, node: worker-0,
                 volumes: [{persistentVolumeClaim: {claimName: "b-{i}"}}]}
            timeline: [{at: 1m, nodeMaintenance: {node: worker-0}}]
            """)
        let tries = r.migrations(of: "big-1")
        #expect(tries.count == 2)
        #expect(tries[0].endedAt == ms(360_000))
        #expect(tries[0].failureReason?.contains("no schedulable node has 48.4Gi memory free") == true)
        #expect(tries[1].isRetry)
        #expect(tries[1].phase == .Scheduling)
        #expect(tries[1].phaseSince == ms(380_000))
        #expect(r.waitingMigrations.count == 1)
    }

    /// Concurrent transfers split a node's link: 2 transfers out of one node each get half of it.
    @Test func concurrentTransfersShareTheNodeLink() throws {
        let r = try simulate(
            threeWorkers + """
                stopAt: 1m30s
                persistentVolumeClaims: [{name: "d-{i}", count: 2, size: 10Gi, accessModes: [ReadWriteMany]}]
                vms:
                  - {name: "v-{i}", count: 2, cpu: 2, memory: 60Gi, runStrategy: Always, node: worker-0,
                     volumes: [{persistentVolumeClaim: {claimName: "d-{i}"}}]}
                timeline: [{at: 1m, nodeMaintenance: {node: worker-0}}]
                """)
        // At 1:30 both transfers run (started 1:20) at 1.25e9 / 2 B/s.
        for name in ["v-0", "v-1"] {
            #expect(r.migrations(of: name).first?.transfer?.bandwidthBytesPerSecond == 625_000_000)
        }
    }
}

/// A migration whose VMI is gone or has moved fails; it never completes from a node its VM left.
@Suite struct MigrationOfAGoneVMITests {
    private let sixVMs =
        threeWorkers + """
            persistentVolumeClaims: [{name: "d-{i}", count: 6, size: 30Gi, accessModes: [ReadWriteMany]}]
            vms:
              - {name: "web-{i}", count: 6, cpu: 4, memory: 8Gi, runStrategy: Always, dirtyRate: 100MiB/s,
                 node: worker-0, volumes: [{persistentVolumeClaim: {claimName: "d-{i}"}}]}

            """

    /// 1:00 the drain creates six evacuations (four wait on the cluster's 5 / node's 2 limits); 1:10 an
    /// administrator force-deletes the pods of the healthy worker-0: its kubelet kills the guests (no
    /// second copy), every VMI fails and restarts on worker-1 or worker-2 (20 s start + 30 s boot, up
    /// at 2:00), and all six migrations fail without a retry.
    @Test func forceDeletingPodsDuringAnEvacuationFailsItsMigrations() throws {
        let r = try simulate(sixVMs + "timeline: [{at: 1m, nodeMaintenance: {node: worker-0}}, {at: 1m10s, forceDeletePods: worker-0}]")
        #expect(r.state.migrations.count == 6)
        #expect(r.state.migrations.allSatisfy { $0.phase == .Failed })
        #expect(r.findings.isEmpty)
        for i in 0..<6 {
            #expect(r.state.vmStatus[i].vmi?.node != NodeID(0))
            #expect(r.downtime(of: VMID(i)) == .seconds(50))
        }
        #expect(r.state.drains.first?.finishedAt == ms(70_000))
    }

    /// 1:10 worker-0 panics under its NodeMaintenance (NHC would skip it; no remediation here): the
    /// migrations fail at once; 30:00 the node is repaired, its VMIs fail and restart elsewhere
    /// (up at 30:50). No migration succeeds from the dead node afterwards.
    @Test func aKernelPanicUnderMaintenanceNeverLetsAnOldEvacuationSucceed() throws {
        let r = try simulate(
            sixVMs
                + "timeline: [{at: 1m, nodeMaintenance: {node: worker-0}}, {at: 1m10s, kernelPanic: worker-0}, {at: 30m, repair: worker-0}]"
        )
        #expect(r.migrationsSucceeded == 0)
        for i in 0..<6 {
            #expect(r.state.vmStatus[i].vmi?.node != NodeID(0))
            #expect(r.downtime(of: VMID(i)) == SimDuration(milliseconds: 1_780_000))
        }
    }
}

/// Every outage closes when its guest serves again; a VM never has two open (issue 8).
@Suite struct OutageClosingTests {
    private let app =
        threeWorkers + """
            persistentVolumeClaims: [{name: d, size: 30Gi, accessModes: [ReadWriteMany]}]
            vms:
              - {name: app, cpu: 4, memory: 8Gi, runStrategy: Always, dirtyRate: 200MiB/s, node: worker-0,
                 volumes: [{persistentVolumeClaim: {claimName: d}}]}

            """

    /// 1:00 virtctl restart: ACPI, the guest is off at 1:10; the new VMI goes to worker-0 (a tie, the
    /// first node), starts at 1:30 and boots until 2:00. The drain of 1:15 marks it; the evacuation
    /// controller takes Running VMIs only, so its migration is created at 1:30 and hands over inside
    /// the boot (a stop-and-copy of a guest already down): one outage, 1:00 to 2:00, closed.
    @Test func aStopAndCopyDuringTheBootIsPartOfTheBootOutage() throws {
        let r = try simulate(app + "timeline: [{at: 1m, restart: app}, {at: 1m15s, nodeMaintenance: {node: worker-0}}]")
        let vm = r.vm("app")
        #expect(r.migrationsSucceeded == 1)
        #expect(r.outages[vm.i].map(\.from) == [ms(60_000)])
        #expect(r.outages[vm.i].map(\.to) == [ms(120_000)])
        #expect(r.downtime(of: vm) == .seconds(60))
    }

    /// 1:00 the storage network of worker-0 fails: app pauses on I/O. 2:00 the drain migrates the
    /// paused guest to worker-1; QEMU carries the paused state, so it resumes at the repair (10:00):
    /// one outage of 9 minutes, closed.
    @Test func aGuestPausedOnIOThatMigratesResumesAtTheRepair() throws {
        let r = try simulate(
            app
                + """
                timeline:
                  - {at: 1m, nicFault: {node: worker-0, network: storage}}
                  - {at: 2m, nodeMaintenance: {node: worker-0}}
                  - {at: 10m, repair: worker-0}
                """)
        let vm = r.vm("app")
        #expect(r.state.vmStatus[vm.i].vmi?.node == NodeID(1))
        #expect(r.outages[vm.i].count == 1)
        #expect(r.outages[vm.i].first?.to == ms(600_000))
        #expect(!r.isDown(vm))
    }
}
