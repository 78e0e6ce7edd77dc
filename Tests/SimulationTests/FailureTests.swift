import ClusterModel
import Controllers
import SimKernel
import Testing

/// A kernel panic on worker-1 at 10:00 with an RWX VM (web), an RWO VM (db) and a Manual VM there.
private func panic(_ cluster: String, extra: String = "") -> String {
    """
    \(cluster)
    nodes: [{name: "worker-{i}", count: 4, cpu: "32", memory: 128Gi, bootTime: 5m}]
    persistentVolumeClaims:
      - {name: web-disk, size: 30Gi, accessModes: [ReadWriteMany]}
      - {name: db-disk, size: 100Gi, accessModes: [ReadWriteOnce]}
    vms:
      - {name: web, cpu: 2, memory: 8Gi, runStrategy: Always, node: worker-1, volumes: [{persistentVolumeClaim: {claimName: web-disk}}]}
      - {name: db, cpu: 4, memory: 16Gi, runStrategy: Always, node: worker-1, volumes: [{persistentVolumeClaim: {claimName: db-disk}}]}
      - {name: batch, cpu: 2, memory: 4Gi, runStrategy: Manual, node: worker-1}
    timeline:
      - {at: 10m, kernelPanic: worker-1}
    \(extra)
    """
}

private let t0: Int64 = 600_000  // the panic, at 10:00

@Suite struct NodeFailureTests {
    /// Ready=Unknown after the 50 s grace; the taint manager's deletion 300 s later leaves the pods
    /// Terminating; nothing restarts the VMs while the node is down.
    @Test func withoutRemediationVMsStayDownWhileTheNodeIsDown() throws {
        let r = try simulate(panic("stopAt: 1h"))
        let f = try #require(r.state.faults.first)
        #expect(f.detectedAt == ms(t0 + 50_000))
        #expect(f.podsMarkedForDeletionAt == ms(t0 + 350_000))
        #expect(f.podsDeletedAt == nil)
        for name in ["web", "db", "batch"] {
            #expect(r.isDown(r.vm(name)))
            #expect(r.outages[r.vm(name).i].last?.from == ms(t0))
            // KubeVirt still says Running: the pod is Terminating, and Terminating counts as alive.
            #expect(r.state.vmStatus[r.vm(name).i].vmi?.phase == .Running)
        }
        #expect(r.state.vmStatus[r.vm("web").i].vmi?.terminating == true)
    }

    /// The node is repaired at 1:00:00: the kubelet finds the containers dead, the VMIs fail and the
    /// run strategies decide: Always restarts (Running 20 s later, guest up 30 s after), Manual does not.
    @Test func whenTheNodeReturnsTheRunStrategiesRestartTheVMs() throws {
        let r = try simulate(panic("", extra: "  - {at: 1h, repair: worker-1}"))
        #expect(r.downtime(of: r.vm("web")) == .seconds(3000 + 50))
        #expect(!r.isDown(r.vm("db")))
        #expect(r.isDown(r.vm("batch")))
        #expect(r.state.faults[0].repairedAt == ms(3_600_000))
    }

    /// NHC + SNR with 4 workers: unhealthy at 50 s + 300 s = 350 s; safe time 180 s; pods and
    /// VolumeAttachments deleted at 530 s; new VMIs Running at 550 s, guests up at 580 s = 9m40s —
    /// RWO too, since SNR deleted the VolumeAttachments.
    @Test func selfNodeRemediationBringsVMsBackAfterNineMinutesForty() throws {
        let r = try simulate(panic("cluster: {remediation: {type: SelfNodeRemediation}}"))
        let f = try #require(r.state.faults.first)
        #expect(f.remediationStartedAt == ms(t0 + 350_000))
        #expect(f.fencedAt == ms(t0 + 530_000))
        #expect(f.podsDeletedAt == ms(t0 + 530_000))
        #expect(r.downtime(of: r.vm("web")) == .seconds(580))
        #expect(r.downtime(of: r.vm("db")) == .seconds(580))
        #expect(r.isDown(r.vm("batch")))
        #expect(r.state.vmStatus[r.vm("web").i].vmi?.node != NodeID(1))
    }

    /// NHC + FAR: the fence call (10 s) ends at 360 s and the pods are deleted. RWX: up at 360 + 20 +
    /// 30 = 410 s. RWO: the volume is force-detached only after the 6-minute wait: 360 + 360 + 50 = 770 s.
    /// The fence agent's reboot brings the node back after its 5-minute boot, at 660 s.
    @Test func fenceAgentsRemediationWithTheDetachWaitForReadWriteOnce() throws {
        let r = try simulate(panic("cluster: {remediation: {type: FenceAgentsRemediation, fenceAgent: {duration: 10s}}}"))
        let f = try #require(r.state.faults.first)
        #expect(f.fencedAt == ms(t0 + 360_000))
        #expect(f.repairedAt == ms(t0 + 660_000))
        #expect(r.downtime(of: r.vm("web")) == .seconds(410))
        #expect(r.downtime(of: r.vm("db")) == .seconds(770))
    }

    /// With the out-of-service strategy the volumes detach at once: the RWO VM is back with the RWX one.
    @Test func outOfServiceTaintSkipsTheDetachWait() throws {
        let r = try simulate(
            panic("cluster: {remediation: {type: FenceAgentsRemediation, strategy: OutOfServiceTaint, fenceAgent: {duration: 10s}}}"))
        #expect(r.downtime(of: r.vm("db")) == .seconds(410))
    }

    /// A fence agent that never answers: 5 attempts of 60 s, 5 s apart (ending at 350 + 60 = 410 s,
    /// then 475, 540, 605, 670 s), then remediation gives up and the VMs stay down.
    @Test func aFailingFenceAgentGivesUpAfterItsRetries() throws {
        let r = try simulate(panic("cluster: {remediation: {type: FenceAgentsRemediation, fenceAgent: {succeeds: false}}}\nstopAt: 1h"))
        #expect(r.state.faults[0].remediationSkipped == "fence agent failed 5 times; remediation gave up")
        #expect(r.isDown(r.vm("web")))
        #expect(r.trace.filter { $0.text.contains("fence attempt") }.map(\.time) == [410, 475, 540, 605, 670].map { ms(t0 + $0 * 1000) })
    }

    /// No remediation; an administrator force-deletes the pods at 20:00. RWX restarts at once (up at
    /// 20:50); the RWO volume waits the attach/detach controller's 6 minutes (up at 26:50).
    @Test func anAdministratorsForceDeleteLeavesRWOWaitingForTheDetach() throws {
        let r = try simulate(panic("", extra: "  - {at: 20m, forceDeletePods: worker-1}"))
        #expect(r.outages[r.vm("web").i].last?.to == ms(1_250_000))
        #expect(r.outages[r.vm("db").i].last?.to == ms(1_610_000))
    }

    /// The out-of-service taint on the dead node has pod GC force-delete the pods and detach at once.
    @Test func anOutOfServiceTaintFreesThePodsAndVolumesAtOnce() throws {
        let r = try simulate(panic("", extra: "  - {at: 20m, outOfServiceTaint: worker-1}"))
        #expect(r.outages[r.vm("db").i].last?.to == ms(1_250_000))
    }

    /// A node under NodeMaintenance carries NMO's exclude-from-remediation label: NHC leaves it alone.
    @Test func aNodeUnderMaintenanceIsNotRemediated() throws {
        let r = try simulate(
            panic(
                "cluster: {remediation: {type: SelfNodeRemediation}}\nstopAt: 30m", extra: "  - {at: 9m, nodeMaintenance: {node: worker-3}}"
            )
            .replacingOccurrences(of: "kernelPanic: worker-1", with: "kernelPanic: worker-3"))
        #expect(r.state.faults[0].remediationSkipped?.hasPrefix("excluded: the node is under NodeMaintenance") == true)
    }

    /// minHealthy 51% of 4 workers needs 3 healthy: with two down (2 healthy) NHC holds back (a storm);
    /// when one returns, the other is remediated.
    @Test func theStormGuardHoldsRemediationUntilEnoughNodesAreHealthy() throws {
        let r = try simulate(
            panic(
                "cluster: {remediation: {type: SelfNodeRemediation, minHealthy: 51%}}",
                extra: "  - {at: 10m, kernelPanic: worker-2}\n  - {at: 30m, repair: worker-2}"))
        let f = try #require(r.state.faults.first)
        #expect(f.remediationStartedAt == ms(1_800_000))
        #expect(f.podsDeletedAt == ms(1_800_000 + 180_000))
    }

    /// A migration whose source dies fails at once, even before its transfer started (its target pod
    /// was still starting: 9:50 + 20 s); the VM is down with its node.
    @Test func aMigrationWhoseSourceDiesFails() throws {
        let r = try simulate(panic("stopAt: 30m", extra: "  - {at: 9m50s, migrate: web}"))
        let m = try #require(r.migrations(of: "web").first)
        #expect(m.phase == .Failed)
        #expect(m.endedAt == ms(t0))
        #expect(m.failureReason == "source node worker-1 failed (kernel panic)")
    }
}

@Suite struct RemediationControllerTests {
    /// (15 + 5) × 3 + max(30, batches × 12) + watchdog 60 + 30 s: 6 workers → 2 batches → 180 s;
    /// 12 → 1 + ⌈8/3⌉ = 4 batches → 198 s; 50 → batch size 4, 1 + ⌈46/4⌉ = 13 → 306 s (reference §7.5).
    @Test func selfNodeRemediationSafeTimeFollowsTheFormula() {
        let c = RemediationConfig()
        #expect(RemediationController.selfNodeRemediationSafeTime(workers: 4, c) == .seconds(180))
        #expect(RemediationController.selfNodeRemediationSafeTime(workers: 6, c) == .seconds(180))
        #expect(RemediationController.selfNodeRemediationSafeTime(workers: 12, c) == .seconds(198))
        #expect(RemediationController.selfNodeRemediationSafeTime(workers: 50, c) == .seconds(306))
        var longer = c
        longer.safeTime = .seconds(600)
        #expect(RemediationController.selfNodeRemediationSafeTime(workers: 4, longer) == .seconds(600))
    }
}

@Suite struct NodeLifecycleControllerTests {
    /// The last virt-handler heartbeat was 0–132 s before the fault; the 5-minute timeout and the
    /// once-a-minute check put the mark 168–360 s after it (the reference's 2.8–6 minutes).
    @Test func kubevirtMarksTheNodeUnschedulableWithinTwoPointEightToSixMinutes() {
        var rng = SplitMix64(seed: 5, stream: "kubevirt-heartbeat")
        for _ in 0..<500 {
            let at = NodeLifecycleController.kubevirtUnschedulableAt(faultAt: .zero, NodeLifecycleConfig(), &rng)
            #expect((168_000...360_000).contains(at.milliseconds))
        }
    }
}

/// worker-1 holds db (RWO) and app; a NIC fault at 10:00.
private func nic(_ network: String, duration: String? = nil, cluster: String = "", extra: String = "") -> String {
    """
    \(cluster)
    nodes: [{name: "worker-{i}", count: 3, cpu: "32", memory: 128Gi, bootTime: 5m}]
    persistentVolumeClaims: [{name: db-disk, size: 100Gi, accessModes: [ReadWriteOnce]}]
    vms:
      - {name: db, cpu: 4, memory: 16Gi, runStrategy: Always, node: worker-1, volumes: [{persistentVolumeClaim: {claimName: db-disk}}]}
      - {name: app, cpu: 2, memory: 4Gi, runStrategy: Always, node: worker-1, volumes: [{containerDisk: {image: x}}]}
    timeline:
      - {at: 10m, nicFault: {node: worker-1, network: \(network)\(duration.map { ", duration: \($0)" } ?? "")}}
    \(extra)
    """
}

@Suite struct NICFaultTests {
    /// Healed at 13:00, before the taint manager (10:00 + 50 s + 300 s): users lost 3 minutes, no restart.
    @Test func aPrimaryNICFaultThatHealsBeforeTheTaintManagerRestartsNothing() throws {
        let r = try simulate(nic("primary", duration: "3m"))
        #expect(r.downtime(of: r.vm("db")) == .minutes(3))
        #expect(r.restarts[r.vm("db").i] == 0)
        #expect(r.state.vmStatus[r.vm("db").i].vmi?.node == NodeID(1))
    }

    /// Healed at 20:00, after the taint manager deleted the pods at 15:50: the kubelet kills the VMs,
    /// Always restarts them: Running 20:20, up 20:50 → 10m50s down.
    @Test func aPrimaryNICFaultThatHealsAfterTheTaintManagerEndsInARestart() throws {
        let r = try simulate(nic("primary", duration: "10m"))
        #expect(r.downtime(of: r.vm("db")) == .seconds(650))
        #expect(r.restarts[r.vm("db").i] == 1)
        #expect(r.findings.isEmpty)
    }

    /// With SNR the isolated node reboots itself 72 s in (3 × (15 + 5) s of API errors, then one
    /// batch of its 2 peers unanswered, 5 s + 7 s; SNR check.go), so its guests are dead long before
    /// SNR deletes their pods at 10:00 + 530 s: no two copies.
    @Test func selfNodeRemediationRebootsAnIsolatedNodeBeforeRestartingItsVMs() throws {
        let r = try simulate(nic("primary", cluster: "cluster: {remediation: {type: SelfNodeRemediation}}\nstopAt: 30m"))
        #expect(r.state.faults[0].rebootedAt == ms(t0 + 72_000))
        #expect(r.state.faults[0].podsDeletedAt == ms(t0 + 530_000))
        #expect(r.downtime(of: r.vm("db")) == .seconds(580))
        #expect(r.findings.isEmpty)
    }

    /// The out-of-service taint on a node that still runs its VMs: pod GC deletes the pods, the VMs
    /// start elsewhere (Running at 20:20) while the old copies run on: two safety findings for db.
    @Test func anOutOfServiceTaintOnARunningNodeIsReportedAsUnsafe() throws {
        let r = try simulate(nic("primary", extra: "  - {at: 20m, outOfServiceTaint: worker-1}\n  - {at: 40m, repair: worker-1}"))
        let db = r.findings.filter { $0.text.contains("db") }.map(\.text)
        #expect(
            db == [
                "two running copies of db: on worker-1 (unreachable, its pod deleted) and on worker-0",
                "ReadWriteOnce volume db-disk written from worker-1 and worker-0",
            ])
        #expect(r.findings.first?.time == ms(1_220_000))
    }

    /// A cut migration network: the migration gets no bandwidth and fails by the progress timeout
    /// (started 1:20 → failed 3:50), with the reason; the VM keeps running on its node.
    @Test func aMigrationNetworkFaultStallsMigrationsUntilTheProgressTimeout() throws {
        let yaml = """
            stopAt: 4m
            cluster: {liveMigration: {network: migration-bridge}}
            nodes: [{name: "w-{i}", count: 2, cpu: "32", memory: 128Gi}]
            persistentVolumeClaims: [{name: d, size: 10Gi, accessModes: [ReadWriteMany]}]
            vms: [{name: v, cpu: 2, memory: 4Gi, runStrategy: Always, node: w-0, volumes: [{persistentVolumeClaim: {claimName: d}}]}]
            timeline:
              - {at: 30s, nicFault: {node: w-1, network: migration}}
              - {at: 1m, migrate: v}
            """
        let r = try simulate(yaml)
        let m = try #require(r.migrations(of: "v").first)
        #expect(m.endedAt == ms(230_000))
        #expect(
            m.failureReason
                == "no progress for 2m30s: no bytes sent since +1m20s, 4Gi of the round left (a migration network is down or the target stalled; progressTimeout 2m30s)"
        )
        #expect(!r.isDown(r.vm("v")))
    }

    /// A storage-network fault pauses VMs with network disks (db) until repaired; app boots from a
    /// containerDisk and runs on.
    @Test func aStorageNetworkFaultPausesVMsWithNetworkDisks() throws {
        let r = try simulate(nic("storage", duration: "4m"))
        #expect(r.downtime(of: r.vm("db")) == .minutes(4))
        #expect(r.downtime(of: r.vm("app")) == .zero)
        #expect(r.outages[r.vm("db").i].first?.resolution == "I/O resumed")
    }

    /// A whole rack without power: the fence agent's BMC has no power either, so every attempt times
    /// out and remediation gives up; the VMs wait for the power.
    @Test func fencingANodeWithoutPowerFails() throws {
        let r = try simulate(
            """
            stopAt: 30m
            cluster: {remediation: {type: FenceAgentsRemediation, minHealthy: 1}}
            nodes: [{name: "w-{i}", count: 3, cpu: "32", memory: 128Gi}]
            vms: [{name: v, cpu: 2, memory: 4Gi, runStrategy: Always, node: w-0}]
            timeline: [{at: 1m, powerLoss: w-0}]
            """)
        #expect(r.state.faults[0].fencedAt == nil)
        #expect(r.state.faults[0].remediationSkipped == "fence agent failed 5 times; remediation gave up")
        #expect(r.isDown(r.vm("v")))
    }
}

@Suite struct MachineHealthCheckTests {
    /// Unhealthy at 10:00 + 50 s + 300 s = 15:50: Machine deleted, Node deleted, pods GC'd. RWX back at
    /// 15:50 + 20 s + 30 s (6m40s down); RWO after the 6-minute detach (12m40s); the host, reprovisioned
    /// for 2 h, rejoins at 2:15:50.
    @Test func aBareMetalReprovisionRestartsVMsAtOnceAndTheHostLater() throws {
        let r = try simulate(
            panic("cluster: {remediation: {type: MachineHealthCheck, machineHealthCheck: {reprovisionTime: 2h}}}"))
        let f = try #require(r.state.faults.first)
        #expect(f.fencedAt == ms(t0 + 350_000))
        #expect(f.repairedAt == ms(t0 + 350_000 + 7_200_000))
        #expect(r.downtime(of: r.vm("web")) == .seconds(400))
        #expect(r.downtime(of: r.vm("db")) == .seconds(760))
    }

    /// In the cloud a replacement that needs 15 minutes never gets a node within nodeStartupTimeout
    /// (10 minutes): it is remediated in turn and the node slot never comes back.
    @Test func aReplacementSlowerThanTheNodeStartupTimeoutNeverJoins() throws {
        let r = try simulate(
            panic(
                "cluster: {remediation: {type: MachineHealthCheck, machineHealthCheck: {platform: cloud, provisioningTime: 15m}}}\nstopAt: 2h"
            ))
        let f = try #require(r.state.faults.first)
        #expect(f.repairedAt == nil)
        #expect(f.remediationSkipped?.contains("nodeStartupTimeout") == true)
        #expect(!r.isDown(r.vm("web")))
    }

    /// A MachineHealthCheck takes no notice of NodeMaintenance (only NHC honours NMO's label): a node
    /// that fails during its maintenance is still remediated.
    @Test func machineHealthCheckDoesNotExcludeNodesUnderMaintenance() throws {
        let r = try simulate(
            panic(
                "cluster: {remediation: {type: MachineHealthCheck}}\nstopAt: 30m", extra: "  - {at: 9m, nodeMaintenance: {node: worker-1}}")
        )
        #expect(r.state.faults[0].fencedAt == ms(t0 + 350_000))
    }
}

@Suite struct RandomFailureTests {
    private let yaml = """
        stopAt: 30d
        seed: 7
        nodes: [{name: "w-{i}", count: 6, cpu: "32", memory: 128Gi, labels: {rack: a}}]
        vms: [{name: "v-{i}", count: 6, cpu: 2, memory: 4Gi, runStrategy: Always}]
        failures:
          - {name: crashes, fault: kernelPanic, role: worker, timeBetweenFailures: {exponential: {mean: 5d}},
             timeToRepair: {constant: 1h}}
        """

    /// Six nodes failing on average every 5 days for 30 days: about 36 faults (each back after 1 h).
    @Test func aFailureProcessDrawsFaultsFromTheSeedAndReplaysThem() throws {
        let a = try simulate(yaml)
        let b = try simulate(yaml)
        #expect((20...55).contains(a.state.faults.count))
        #expect(a.state.faults.map(\.at) == b.state.faults.map(\.at))
        #expect(a.state.faults.allSatisfy { f in f.repairedAt.map { $0 - f.at == .minutes(60) } ?? true })
        let other = try simulate(yaml, seed: 8)
        #expect(other.state.faults.map(\.at) != a.state.faults.map(\.at))
    }

    /// A failure domain fails as a whole: all nodes of the rack at the same instant.
    @Test func aFailureDomainFailsTogether() throws {
        let r = try simulate(
            yaml.replacingOccurrences(of: "fault: kernelPanic, role: worker,", with: "fault: powerLoss, role: worker, domain: rack,"))
        let first = try #require(r.state.faults.first?.at)
        #expect(r.state.faults.filter { $0.at == first }.count == 6)
    }
}

@Suite struct FailureDuringMaintenanceTests {
    /// worker-1 dies (1:30) while its NodeMaintenance drain waits for a None VM's 2-minute shutdown.
    /// NHC skips it (NMO's exclusion label), so nothing happens until the repair at 30:00: the VMI
    /// fails, restarts on another node (worker-1 is still cordoned), the last pod is gone and the drain
    /// succeeds at that instant. Down from 1:00 (eviction) to 30:50 (20 s start + 30 s boot).
    @Test func aDrainWaitingOnANodeThatDiesFinishesWhenTheNodeReturns() throws {
        let r = try simulate(
            """
            cluster: {remediation: {type: SelfNodeRemediation}}
            nodes: [{name: "worker-{i}", count: 3, cpu: "32", memory: 128Gi}]
            vms: [{name: off, cpu: 2, memory: 4Gi, runStrategy: Always, evictionStrategy: None, shutdownTime: 2m, node: worker-1}]
            timeline:
              - {at: 1m, nodeMaintenance: {node: worker-1}}
              - {at: 1m30s, kernelPanic: worker-1}
              - {at: 30m, repair: worker-1}
            """)
        #expect(r.state.faults[0].remediationSkipped?.hasPrefix("excluded") == true)
        #expect(r.state.drains[0].finishedAt == ms(1_800_000))
        #expect(r.downtime(of: r.vm("off")) == .seconds(1_790))
        #expect(r.state.vmStatus[0].vmi?.node != NodeID(1))
    }
}
