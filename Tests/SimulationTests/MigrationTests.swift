import ClusterModel
import Controllers
import SimKernel
import Testing

@Suite struct MigrationTests {
    /// Four 8 GiB VMs dirtying 100 MiB/s (r = 104,857,600 B/s) leave worker-0 two at a time over a
    /// 10 Gbit/s link: 97 % of 1.25e9 B/s is payload, shared by two transfers: b = 606,250,000 B/s each
    /// (targets are alone on theirs). Rounds end at exact microseconds:
    ///   round 1: 8,589,934,592 B → 14,168,965 µs; dirtied 1,485,723,664 B
    ///   round 2: → 2,450,679 µs; dirtied 256,972,318 B (> b × 0.3 s = 181,875,000: no stop yet)
    ///   round 3: → 423,872 µs; dirtied 44,446,200 B ≤ 181,875,000 → stop-and-copy, ⌈73.3⌉ = 74 ms pause
    /// NodeMaintenance at 1:00, target pods start in 20 s → transfer 1:20, round 3 ends at 1:37.043516
    /// (event 1:37.044), done 1:37.118.
    @Test func preCopyRoundsOverASharedLinkGiveTheHandWorkedPause() throws {
        let r = try simulate(fourWebVMsDrainedFromWorker0)
        let m = try #require(r.migrations(of: "web-0").first)
        #expect(m.phase == .Succeeded)
        #expect(m.transfer?.rounds == 3)
        #expect(m.pause == SimDuration(milliseconds: 74))
        #expect(m.endedAt == ms(97_118))
        #expect(r.downtime(of: r.vm("web-0")) == SimDuration(milliseconds: 74))
        // hco-1.18 (KubeVirt 1.8, no priority queue): the evacuation controller creates migrations only
        // into free slots and looks at the node every 5 s; web-2 and web-3 get theirs at the first look
        // after 1:37.118, 1:40, and take the same 37.118 s: 2:17.118. Nothing ever waits Pending.
        #expect(r.migrations(of: "web-2").first?.createdAt == ms(100_000))
        #expect(r.migrations(of: "web-2").first?.endedAt == ms(100_000 + 37_118))
        #expect(r.peakPendingMigrations == 1)
        #expect(r.longestPendingWait == .zero)
    }

    /// The same on hco-1.19 (KubeVirt 1.9, priority queue) with two outbound migrations per node: all
    /// four are created at 1:00, web-2 and web-3 wait Pending until 1:37.118 and start at once: done
    /// at 1:37.118 + 37.118 s = 2:14.236; two Pending at the peak, waiting 37.118 s.
    @Test func onKubeVirt19EvacuationCreatesEveryMigrationAtOnce() throws {
        let r = try simulate(
            fourWebVMsDrainedFromWorker0 + "\ncluster: {profile: hco-1.19, liveMigration: {parallelOutboundMigrationsPerNode: 2}}")
        #expect(r.migrations(of: "web-2").first?.createdAt == ms(60_000))
        #expect(r.migrations(of: "web-2").first?.endedAt == ms(97_118 + 37_118))
        #expect(r.peakPendingMigrations == 2)
        #expect(r.longestPendingWait == SimDuration(milliseconds: 37_118))
    }
    /// Auto-converge as QEMU does it (migration/ram.c, migration_trigger_throttle): a 2 GiB guest
    /// (W = 2,147,483,648 B) dirtying 150e6 B/s alone on 1 Gbit/s (b = 97 % of 125e6 = 121,250,000 B/s;
    /// the downtime limit takes 36,375,000 B). At a round's end at least 1 s after the last evaluated one,
    /// the period is "high" when the guest dirtied more than half of what was sent; the second high
    /// period throttles (20 %, then +10 %) and the count restarts:
    ///   round  sent (B)       time (µs)   dirtied (B)     high count, throttle
    ///    1   2,147,483,648  17,711,206  2,147,483,648   1
    ///    2   2,147,483,648  17,711,206  2,147,483,648   2 → 20 % (120e6 B/s)
    ///    3   2,147,483,648  17,711,206  2,125,344,720   1
    ///    4   2,125,344,720  17,528,617  2,103,434,040   2 → 30 % (105e6)
    ///    5   2,103,434,040  17,347,910  1,821,530,550   1
    ///    6   1,821,530,550  15,022,933  1,577,407,965   2 → 40 % (90e6)
    ///    7   1,577,407,965  13,009,551  1,170,859,590   1
    ///    8   1,170,859,590   9,656,574    869,091,660   2 → 50 % (75e6)
    ///    9     869,091,660   7,167,767    537,582,525   1
    ///   10     537,582,525   4,433,671    332,525,325   2 → 60 % (60e6)
    ///   11     332,525,325   2,742,477    164,548,620   0 (164.5e6 < 166.3e6)
    ///   12     164,548,620   1,357,103     81,426,180   0
    ///   13      81,426,180     671,557     40,293,420   (under 1 s since round 12: no look)
    ///   14      40,293,420     332,317     19,939,020   ≤ 36,375,000: stop-and-copy, ⌈164.4⌉ = 165 ms
    /// Round 14 ends at 2:42.404095 (event 2:42.405), done 2:42.570.
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
        #expect(m.transfer?.rounds == 14)
        #expect(m.transfer?.throttlePercent == 60)
        #expect(m.pause == SimDuration(milliseconds: 165))
        #expect(m.endedAt == ms(162_570))
    }

    /// QEMU sends never-touched pages as headers only, so round 1 moves the memory in use, not the
    /// guest's size (audit #27). A quiet 64 GiB guest alone on 10 Gbit/s (97 % payload: 1.2125e9 B/s),
    /// virtctl migrate at 0:00, target started at 0:20:
    ///   all in use: 68,719,476,736 B → 56,675,858 µs, nothing dirtied, pause 0 → done ⌈1:16.675858⌉ = 1:16.676
    ///   8 GiB in use: 8,589,934,592 B → 7,084,483 µs → done 0:27.085
    /// The completion timeout still counts the guest's size (KubeVirt `getVMIMigrationDataSize`):
    /// 150 × ⌈68.7 GB⌉ = 10,350 s either way.
    /// A containerDisk migrates what was written to its overlay (1 GiB here), not its image size:
    /// 9 GiB → 7,970,043 µs → done 0:27.971.
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
        #expect(whole.endedAt == ms(76_676) && used.endedAt == ms(27_085) && disk.endedAt == ms(27_971))
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
    /// (97 % payload: b = 1,212,500,000 B/s) never converges by pre-copy. Each round re-sends all
    /// 17,179,869,184 B in 14,168,965 µs (+1 µs where the remainder carries). The completion timeout,
    /// 150 × ⌈17.18 GB⌉ = 2,700 s after the transfer began at 1:20, switches to post-copy at 46:20:
    /// 190 rounds ended at 46:12.103350, round 191 had sent 7.89665 s × b = 9,574,688,125 B, so
    /// 7,605,181,059 B follow in ⌈6,272.3⌉ = 6,273 ms: the VMI runs on w-1 from 46:26.273 and the drain
    /// completes. Before, the progress timeout aborted it at 150 s forever.
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
        #expect(m.endedAt == ms(2_786_273))
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

    /// Concurrent transfers split a node's link: 2 transfers out of one node each get half of its
    /// payload rate (97 % of the nominal 10 Gbit/s, the default migrationLinkEfficiency); with
    /// `migrationLinkEfficiency: 100%` half of the nominal rate.
    @Test func concurrentTransfersShareTheNodeLink() throws {
        let yaml = """
            stopAt: 1m30s
            persistentVolumeClaims: [{name: "d-{i}", count: 2, size: 10Gi, accessModes: [ReadWriteMany]}]
            vms:
              - {name: "v-{i}", count: 2, cpu: 2, memory: 60Gi, runStrategy: Always, node: worker-0,
                 volumes: [{persistentVolumeClaim: {claimName: "d-{i}"}}]}
            timeline: [{at: 1m, nodeMaintenance: {node: worker-0}}]
            """
        let r = try simulate(threeWorkers + yaml)
        // At 1:30 both transfers run (started 1:20) at 1.25e9 × 0.97 / 2 = 606,250,000 B/s.
        for name in ["v-0", "v-1"] {
            #expect(r.migrations(of: name).first?.transfer?.bandwidthBytesPerSecond == 606_250_000)
        }
        let nominal = try simulate(threeWorkers + yaml + "\ncluster: {migrationLinkEfficiency: 100%}")
        #expect(nominal.migrations(of: "v-0").first?.transfer?.bandwidthBytesPerSecond == 625_000_000)
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
