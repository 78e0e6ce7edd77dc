import ClusterModel
import Scenarios
import Simulation
import SimKernel
import Testing

/// ReadWriteOnce volumes attach to one node; ReadWriteOncePod to one pod (ClusterState+Volumes).
@Suite struct VolumeAttachmentTests {
    private func sharing(_ mode: String, _ a: String = "", _ b: String = "") -> String {
        threeWorkers + """
            persistentVolumeClaims: [{name: shared, size: 30Gi, accessModes: [\(mode)]}]
            vms:
              - {name: a, cpu: 4, memory: 8Gi, runStrategy: Always, volumes: [{persistentVolumeClaim: {claimName: shared}}]\(a)}
              - {name: b, cpu: 4, memory: 8Gi, runStrategy: Always, volumes: [{persistentVolumeClaim: {claimName: shared}}]\(b)}

            """
    }

    private func loadError(_ text: String) -> String {
        do {
            _ = try Simulation.load(text: text, file: "x.yaml")
            return "no error"
        } catch { return error.description }
    }

    /// a takes worker-0 and the volume; the scheduler (which does not look at RWO attachments) puts b
    /// on the least allocated node, worker-1, where its launcher waits with a Multi-Attach error: b is
    /// not running. 10:00 virtctl stop a: the guest is off at 10:10, the volume detaches at once from
    /// the healthy node, b's launcher starts 20 s later and boots in 30 s: up at 11:00, down 11 min.
    @Test func aSecondPodOnAnotherNodeWaitsForTheVolumeWithAMultiAttachError() throws {
        let r = try simulate(sharing("ReadWriteOnce") + "timeline: [{at: 10m, stop: a}]")
        let b = r.vm("b")
        #expect(r.state.vmStatus[b.i].vmi?.node == NodeID(1))
        let outage = try #require(r.outages[b.i].first)
        #expect(outage.from == .zero && outage.to == ms(660_000))
        #expect(outage.phases.first?.what == "Multi-Attach error: volume shared is attached to worker-0 for the pod of a")
        #expect(outage.phases.last?.from == ms(610_000))
    }

    /// Without the stop, b never runs and is down to the end of the run; the report says why.
    @Test func aPodStuckOnMultiAttachIsDownAndSaysWhy() throws {
        let r = try simulate(sharing("ReadWriteOnce") + "stopAt: 1h")
        let b = r.vm("b")
        #expect(r.isDown(b))
        #expect(r.state.vmStatus[b.i].vmi?.phase == .Scheduled)
        #expect(r.outages[b.i].first?.resolution?.hasPrefix("Multi-Attach error") == true)
    }

    /// Two VMs on one node share an RWO volume: both run.
    @Test func podsOnOneNodeShareAReadWriteOnceVolume() throws {
        let r = try simulate(sharing("ReadWriteOnce", ", node: worker-2", ", node: worker-2") + "stopAt: 1h")
        #expect(r.vmsWithDowntime == 0)
    }

    /// ReadWriteOncePod: b is Halted; started at 5:00 while a runs, the scheduler refuses it. a stops at
    /// 10:00 (off 10:10): b is placed at once and its VMI is Running at 10:30.
    @Test func aReadWriteOncePodClaimInUseMakesTheSecondPodUnschedulable() throws {
        let text =
            threeWorkers + """
                persistentVolumeClaims: [{name: shared, size: 30Gi, accessModes: [ReadWriteOncePod]}]
                vms:
                  - {name: a, cpu: 4, memory: 8Gi, runStrategy: Always, volumes: [{persistentVolumeClaim: {claimName: shared}}]}
                  - {name: b, cpu: 4, memory: 8Gi, runStrategy: Halted, volumes: [{persistentVolumeClaim: {claimName: shared}}]}

                """
        let r = try simulate(text + "timeline: [{at: 5m, start: b}, {at: 10m, stop: a}]")
        #expect(
            r.trace.contains {
                $0.time == ms(300_000)
                    && $0.text == "VMI b unschedulable: 0/3 nodes available: ReadWriteOncePod claim shared is in use by the pod of a"
            })
        #expect(r.state.vmStatus[r.vm("b").i].vmi?.phase == .Running)
        #expect(r.state.vmStatus[r.vm("b").i].vmi?.phaseSince == ms(630_000))
    }

    @Test func pinnedPlacementsThatWouldBreakTheAccessModesAreLoadErrors() {
        #expect(
            loadError(sharing("ReadWriteOnce", ", node: worker-0", ", node: worker-1")).hasPrefix(
                "x.yaml:10:120: vms[1].node: claim shared is ReadWriteOnce and VM a uses it on worker-0: the volume attaches to one node"))
        #expect(
            loadError(sharing("ReadWriteOncePod")).hasPrefix(
                "x.yaml:10:5: vms[1]: claim shared is ReadWriteOncePod and VM a uses it too: one pod at most"))
    }
}

/// Silent wrong answers of issue 8 that are now errors at load, with their position.
@Suite struct TimeZeroLoadErrorTests {
    private func loadError(_ text: String) -> String {
        do {
            _ = try Simulation.load(text: text, file: "x.yaml")
            return "no error"
        } catch { return error.description }
    }

    @Test func aVMPinnedToAControlPlaneNodeIsAnError() {
        let text = """
            nodes: [{name: cp, role: control-plane, cpu: "8", memory: 32Gi}, {name: w, cpu: "8", memory: 32Gi}]
            vms: [{name: a, cpu: 2, memory: 4Gi, runStrategy: Always, node: cp}]
            """
        #expect(loadError(text) == "x.yaml:2:65: vms[0].node: cp is a control-plane node: its NoSchedule role taint keeps VMs off it")
    }

    @Test func pinnedVMsThatBreakTheirOwnAntiAffinityAreAnError() {
        let text =
            threeWorkers + """
                vms:
                  - {name: "db-{i}", count: 2, cpu: 2, memory: 4Gi, runStrategy: Always, node: worker-0, labels: {app: db},
                     affinity: {podAntiAffinity: [{matchLabels: {app: db}}]}}
                """
        #expect(loadError(text).contains("vms[0].node: placing db-1 on worker-0 breaks a required pod anti-affinity"))
    }

    /// One 8-CPU / 32 GiB node; each VM's launcher asks 14 GiB + overhead (about 14.3 GiB): two fit,
    /// the other six fit nowhere, and each is named with the scheduler's reason.
    @Test func vmsThatFitNowhereAtTimeZeroAreAnErrorNamingEach() {
        let text = """
            nodes: [{name: w, cpu: "8", memory: 32Gi}]
            vms: [{name: "big-{i}", count: 8, cpu: 2, memory: 14Gi, runStrategy: Always}]
            """
        let e = loadError(text)
        #expect(e.hasPrefix("x.yaml:2:7: vms[0]: 6 VM(s) fit on no node at time zero"))
        #expect(e.contains("big-2: no schedulable node has 14.3Gi memory free (0/1 nodes available: 1 lack 14.3Gi memory)"))
        #expect(e.hasSuffix("; and 1 more"))
    }
}

/// Node-local volumes (LVM Storage, local-storage operator, hostpath provisioner): a PVC with `node`
/// can be used only on that node.
@Suite struct LocalVolumeTests {
    private let cluster = """
        nodes: [{name: "worker-{i}", count: 3, cpu: "32", memory: 128Gi}]
        persistentVolumeClaims: [{name: "data-{i}", count: 6, size: 50Gi, accessModes: [ReadWriteOnce], node: "worker-{i % 3}"}]

        """

    /// Unpinned VMs go where their volume is: vm-0…vm-5 use data-0…data-5 on worker-0, 1, 2, 0, 1, 2.
    @Test func aVMGoesWhereItsLocalVolumeLives() throws {
        let r = try simulate(
            cluster + """
                vms: [{name: "vm-{i}", count: 6, cpu: 2, memory: 4Gi, runStrategy: Always,
                       volumes: [{persistentVolumeClaim: {claimName: "data-{i}"}}]}]
                """)
        #expect(r.state.vmStatus.map { $0.vmi?.node?.i } == [0, 1, 2, 0, 1, 2])
        #expect(
            r.state.liveMigratable[0]
                == .notMigratable(reason: "DisksNotLiveMigratable", message: "PVC data-0 is a local volume (ReadWriteOnce)"))
    }

    /// LiveMigrateIfPossible on a local volume: the NodeMaintenance of worker-0 at 1:00 shuts vm-0
    /// down (10 s) and it restarts at once, but only worker-0 can hold it and worker-0 is cordoned: it
    /// waits, the reason names the volume. The CR is deleted at 20:00: uncordoned, vm-0 starts there,
    /// Running 20:20, up 20:50 → down 1:00–20:50 = 19m50s.
    @Test func aVMOnALocalVolumeWaitsForItsNodeToComeBack() throws {
        let r = try simulate(
            cluster + """
                stopAt: 30m
                vms: [{name: vm-0, cpu: 2, memory: 4Gi, runStrategy: Always, evictionStrategy: LiveMigrateIfPossible,
                       volumes: [{persistentVolumeClaim: {claimName: data-0}}]}]
                timeline:
                  - {at: 1m, nodeMaintenance: {node: worker-0}}
                  - {at: 20m, deleteNodeMaintenance: worker-0}
                """)
        let vm = r.vm("vm-0")
        #expect(r.outages[vm.i].map { [$0.from, $0.to] } == [[ms(60_000), ms(1_250_000)]])
        #expect(
            r.outages[vm.i].first?.phases.contains {
                $0.what.hasSuffix("(0/3 nodes available: 1 cordoned, 2 had volume node affinity conflict)")
            } == true)
        #expect(r.state.vmStatus[vm.i].vmi?.node == NodeID(0))
    }

    /// Pinning a VM away from its local volume, or giving it local volumes on two nodes, is an error.
    @Test func impossibleLocalPlacementsAreLoadErrors() {
        #expect(throws: ScenarioError.self) {
            try ScenarioLoader.load(
                text: cluster + "vms: [{name: a, cpu: 1, memory: 1Gi, runStrategy: Always, node: worker-1, "
                    + "volumes: [{persistentVolumeClaim: {claimName: data-0}}]}]\n", file: "t.yaml")
        }
        #expect(throws: ScenarioError.self) {
            try ScenarioLoader.load(
                text: cluster + "vms: [{name: a, cpu: 1, memory: 1Gi, runStrategy: Always, "
                    + "volumes: [{persistentVolumeClaim: {claimName: data-0}}, {persistentVolumeClaim: {claimName: data-1}}]}]\n",
                file: "t.yaml")
        }
    }
}
