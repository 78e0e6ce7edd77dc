import ClusterModel
import Controllers
import Scenarios
import Testing

@Suite struct SchedulerTests {
    private func state(_ yaml: String) throws -> ClusterState { try simulate(yaml).state }

    /// Least allocated wins; on a tie the first node. worker-0 holds a VM, so the next goes to worker-1.
    @Test func placesOnTheLeastAllocatedNodeThenTheFirst() throws {
        let s = try state(
            threeWorkers + "vms: [{name: a, cpu: 2, memory: 8Gi, runStrategy: Always}, {name: b, cpu: 2, memory: 8Gi, runStrategy: Always}]"
        )
        #expect(s.vmStatus.map { $0.vmi?.node } == [NodeID(0), NodeID(1)])
    }

    /// 40 Gi guest + overhead (40Gi/512 = 80Mi, 240Mi of daemons, 2 × 8Mi per vCPU, 8Mi IOThread, 32Mi video) = 40.37Gi.
    @Test func explainsWhyNothingFitsLikeTheKubernetesScheduler() throws {
        let s = try state(
            """
            nodes:
              - {name: cp, role: control-plane, cpu: "8", memory: 32Gi}
              - {name: "w-{i}", count: 2, cpu: "8", memory: 32Gi}
            vms: [{name: huge, cpu: 2, memory: 40Gi, runStrategy: Always}]
            """)
        #expect(
            s.vmStatus[0].vmi?.unschedulableReason
                == "no schedulable node has 40.4Gi memory free (0/3 nodes available: 1 control-plane (tainted), 2 lack 40.4Gi memory)")
    }
}

@Suite struct PlacementConstraintTests {
    private let nodes = """
        nodes:
          - {name: cpu-0, cpu: "32", memory: 128Gi, labels: {zone: a}}
          - {name: gpu-0, cpu: "32", memory: 128Gi, labels: {zone: b, gpu: "true"}, taints: [{key: dedicated, value: gpu, effect: NoSchedule}]}
          - {name: cpu-1, cpu: "32", memory: 128Gi, labels: {zone: b}}

        """

    private func node(of vm: String, _ r: RunRecord) -> String {
        r.state.vmStatus[r.vm(vm).i].vmi?.node.map { r.state.nodes[$0.i].name } ?? "none"
    }

    /// gpu-0 carries a NoSchedule taint: only a VM that tolerates it (and selects it) goes there.
    @Test func nodeSelectorAndTolerationsDecideWhereVMsGo() throws {
        let r = try simulate(
            nodes + """
                vms:
                  - {name: plain, cpu: 1, memory: 1Gi, runStrategy: Always}
                  - {name: plain-2, cpu: 1, memory: 1Gi, runStrategy: Always}
                  - {name: ml, cpu: 1, memory: 1Gi, runStrategy: Always, nodeSelector: {gpu: "true"},
                     tolerations: [{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}]}
                  - {name: zoned, cpu: 1, memory: 1Gi, runStrategy: Always, affinity: {nodeAffinity: [{key: zone, operator: NotIn, values: [a]}]}}
                """)
        #expect(node(of: "plain", r) == "cpu-0")
        #expect(node(of: "plain-2", r) == "cpu-1")
        #expect(node(of: "ml", r) == "gpu-0")
        #expect(node(of: "zoned", r) == "cpu-1")
    }

    /// A nodeSelector that nothing untainted matches: the reason names each kind of node.
    @Test func theReasonCountsTaintedAndUnmatchedNodes() throws {
        let r = try simulate(nodes + "vms: [{name: lost, cpu: 1, memory: 1Gi, runStrategy: Always, nodeSelector: {gpu: \"true\"}}]")
        #expect(
            r.state.vmStatus[0].vmi?.unschedulableReason
                == "no node fits (0/3 nodes available: 1 with a taint the VM does not tolerate, 2 not matching nodeSelector or node affinity)"
        )
    }

    /// Two replicas with anti-affinity on the hostname never share a node, and a migration's target
    /// avoids the other replica's node. Draining cpu-0: gpu-0 is tainted and cpu-1 holds db-1, so db-0
    /// is stranded, its drain blocked, and the reason names db-1.
    @Test func antiAffinityStrandsAReplicaAndSaysWithWhom() throws {
        let r = try simulate(
            nodes + """
                stopAt: 10m
                persistentVolumeClaims: [{name: "d-{i}", count: 2, size: 10Gi, accessModes: [ReadWriteMany]}]
                vms:
                  - {name: "db-{i}", count: 2, cpu: 2, memory: 8Gi, runStrategy: Always, labels: {app: db},
                     affinity: {podAntiAffinity: [{matchLabels: {app: db}, topologyKey: kubernetes.io/hostname}]},
                     volumes: [{persistentVolumeClaim: {claimName: "d-{i}"}}]}
                timeline: [{at: 1m, nodeMaintenance: {node: cpu-0}}]
                """)
        #expect(node(of: "db-0", r) == "cpu-0")
        #expect(node(of: "db-1", r) == "cpu-1")
        let waiting = try #require(r.waitingMigrations.first)
        #expect(
            waiting.waitingReason
                == "target pod unschedulable: no node fits (0/3 nodes available: 1 with a taint the VM does not tolerate, 1 excluded by anti-affinity with db-1, 1 is the migration source)"
        )
        #expect(r.blockedDrains.count == 1)
    }

    /// Zone anti-affinity: cpu-1 and gpu-0 share zone b, so the second replica must go to zone a.
    @Test func antiAffinityHonoursTheTopologyKey() throws {
        let r = try simulate(
            nodes
                + """
                vms:
                  - {name: "web-{i}", count: 2, cpu: 1, memory: 1Gi, runStrategy: Always, labels: {app: web},
                     affinity: {podAntiAffinity: [{matchLabels: {app: web}, topologyKey: zone}]}}
                """)
        #expect(Set([node(of: "web-0", r), node(of: "web-1", r)]) == ["cpu-0", "cpu-1"])
    }

    /// MostAllocated packs: the second VM joins the first on cpu-0.
    @Test func mostAllocatedScoringPacksNodes() throws {
        let r = try simulate(
            "cluster: {scoring: MostAllocated}\n" + nodes
                + "vms: [{name: a, cpu: 1, memory: 1Gi, runStrategy: Always}, {name: b, cpu: 1, memory: 1Gi, runStrategy: Always}]")
        #expect(node(of: "a", r) == "cpu-0")
        #expect(node(of: "b", r) == "cpu-0")
    }
}

/// Launchers waiting for a node are tried again when a pod leaves a node or a node opens, oldest
/// first, only where they fit; the rest keep waiting without cost to every later event.
@Suite struct WaitingForANodeTests {
    /// Each 8 Gi VM's launcher requests 8Gi + 312Mi (16Mi page tables, 240Mi daemons, 2 × 8Mi vCPU,
    /// 8Mi IOThread, 32Mi video): two fit a 20 Gi worker, leaving 3.4 Gi. Defaults: shutdown 10 s,
    /// launcher start 20 s, boot 30 s.
    /// - 1:00 drain worker-0 (evictionStrategy None): a and b shut down, end at 1:10 and restart;
    ///   worker-0 is cordoned and worker-1 has 3.4 Gi free, so both wait, a first.
    /// - 10:00 virtctl stop c: its pod is gone at 10:10; worker-1 has room for one: a (the oldest)
    ///   starts there, Running 10:30, up 11:00 → a down 1:00–11:00 = 600 s. b still waits.
    /// - 20:00 uncordon worker-0: b starts there, Running 20:20, up 20:50 → down 1:00–20:50 = 1,190 s.
    @Test func theOldestWaitingVMTakesTheRoomThatFreesUpAndTheNextWaitsForTheUncordon() throws {
        let r = try simulate(
            """
            stopAt: 30m
            nodes: [{name: "worker-{i}", count: 2, cpu: "16", memory: 20Gi}]
            vms:
              - {name: a, cpu: 2, memory: 8Gi, runStrategy: Always, evictionStrategy: None, node: worker-0}
              - {name: b, cpu: 2, memory: 8Gi, runStrategy: Always, evictionStrategy: None, node: worker-0}
              - {name: c, cpu: 2, memory: 8Gi, runStrategy: Always, evictionStrategy: None, node: worker-1}
              - {name: d, cpu: 2, memory: 8Gi, runStrategy: Always, evictionStrategy: None, node: worker-1}
            timeline:
              - {at: 1m, drain: worker-0}
              - {at: 10m, stop: c}
              - {at: 20m, uncordon: worker-0}
            """)
        let node = { (name: String) in r.state.vmStatus[r.vm(name).i].vmi?.node.map { r.state.nodes[$0.i].name } }
        #expect(node("a") == "worker-1")
        #expect(node("b") == "worker-0")
        #expect(r.outages[r.vm("a").i].map { [$0.from, $0.to] } == [[ms(60_000), ms(660_000)]])
        #expect(r.outages[r.vm("b").i].map { [$0.from, $0.to] } == [[ms(60_000), ms(1_250_000)]])
        #expect(r.state.unscheduledVMIs.isEmpty)
    }
}

extension WaitingForANodeTests {
    /// `rack-down-rolling` at a tenth of its size (10 + 10 workers, 400 VMs), invariants after every
    /// event. An 11 Gi, 2-vCPU launcher requests 11Gi + 318Mi (22Mi page tables, 240Mi daemons,
    /// 16Mi vCPUs, 8Mi IOThread, 32Mi video) = 11.31Gi and 200m: 22 fit a 256 Gi, 64-core worker.
    /// Rack r1 never returns; rack r2's rolling maintenance (two rounds of five) is over well before
    /// 3:00, and every node that leaves maintenance is filled from the queue. At the end r2 holds
    /// 10 × 22 = 220 VMs and the other 400 − 220 = 180 wait for a node.
    @Test func aTenthOfRackDownRollingEndsWithEveryR2SlotFilledAndTheRestWaiting() throws {
        let text = try String(contentsOfFile: packageRoot.appendingPathComponent("scenarios/rack-down-rolling.yaml").path, encoding: .utf8)
        let r = try simulate(
            text.replacingOccurrences(of: "count: 100\n", with: "count: 10\n").replacingOccurrences(of: "count: 4000", with: "count: 400"))
        #expect(r.state.vms.count == 400)
        #expect(r.state.unscheduledVMIs.count == 180)
        let r2 = r.state.nodes.indices.filter { r.state.nodes[$0].name.hasPrefix("r2-") }
        #expect(r2.map { r.state.launchers[$0].count } == Array(repeating: 22, count: 10))
        #expect(r.state.drains.count == 10 && r.state.drains.allSatisfy { $0.phase == .Succeeded && $0.endedAt != nil })
    }
}

extension WaitingForANodeTests {
    /// kube-scheduler takes waiting pods by priority, then by the time they were queued: a migration
    /// target pod waiting since 1:00 gets the room that frees at 2:10 before a launcher pod queued at
    /// 1:30. worker-1 (20 Gi) holds filler-a and filler-b (8Gi + 312Mi each, 3.4 Gi left).
    /// - 1:00 NodeMaintenance of worker-0: web's migration target finds no node (worker-0 is its source).
    /// - 1:30 virtctl start batch: its launcher finds no node either.
    /// - 2:00 virtctl stop filler-a: its pod is gone at 2:10; the target (older) takes worker-1, starts
    ///   at 2:30 and sends 8 GiB at 0.97 × 1.25e9 B/s in 7,084,483 µs: web runs on worker-1 from 2:37.085.
    ///   batch keeps waiting.
    @Test func aMigrationTargetQueuedEarlierGetsTheRoomBeforeALaterLauncher() throws {
        let r = try simulate(
            """
            stopAt: 5m
            nodes:
              - {name: worker-0, cpu: "32", memory: 128Gi}
              - {name: worker-1, cpu: "32", memory: 20Gi}
            persistentVolumeClaims: [{name: web, size: 10Gi, accessModes: [ReadWriteMany]}]
            vms:
              - {name: web, cpu: 2, memory: 8Gi, runStrategy: Always, node: worker-0, volumes: [{persistentVolumeClaim: {claimName: web}}]}
              - {name: "filler-{i}", count: 2, cpu: 2, memory: 8Gi, runStrategy: Always, evictionStrategy: None, node: worker-1}
              - {name: batch, cpu: 2, memory: 8Gi, runStrategy: Halted}
            timeline:
              - {at: 1m, nodeMaintenance: {node: worker-0}}
              - {at: 1m30s, start: batch}
              - {at: 2m, stop: filler-0}
            """)
        let m = try #require(r.migrations(of: "web").first)
        #expect(m.phase == .Succeeded && m.endedAt == ms(157_085))
        #expect(r.state.vmStatus[r.vm("web").i].vmi?.node == NodeID(1))
        #expect(r.state.vmStatus[r.vm("batch").i].vmi?.phase == .Pending)
    }
}

extension WaitingForANodeTests {
    /// A VM restarted at once does not jump the queue: its new pod is queued after the pods already
    /// waiting. Two 20 Gi workers hold two 8 Gi VMs each (3.4 Gi left on each). 1:00 virtctl start e:
    /// no room, it waits. 2:00 a's guest shuts down (Always: restarted at once): the room a's pod
    /// left goes to e (queued at 1:00), Running 2:20 (guest up 2:50); a's new VMI waits and a is still down
    /// when the run stops at 5:00.
    @Test func aVMRestartedAtOnceQueuesBehindThePodsAlreadyWaiting() throws {
        let r = try simulate(
            """
            stopAt: 5m
            nodes: [{name: "worker-{i}", count: 2, cpu: "32", memory: 20Gi}]
            vms:
              - {name: a, cpu: 2, memory: 8Gi, runStrategy: Always, node: worker-0}
              - {name: b, cpu: 2, memory: 8Gi, runStrategy: Always, node: worker-0}
              - {name: c, cpu: 2, memory: 8Gi, runStrategy: Always, node: worker-1}
              - {name: d, cpu: 2, memory: 8Gi, runStrategy: Always, node: worker-1}
              - {name: e, cpu: 2, memory: 8Gi, runStrategy: Halted}
            timeline:
              - {at: 1m, start: e}
              - {at: 2m, guestShutdown: a}
            """)
        #expect(r.state.vmStatus[r.vm("e").i].vmi?.node == NodeID(0))
        #expect(r.state.vmStatus[r.vm("e").i].guestUp && r.state.vmStatus[r.vm("e").i].vmi?.phaseSince == ms(140_000))
        #expect(r.state.vmStatus[r.vm("a").i].vmi?.phase == .Pending)
        #expect(r.vmsDownAtEnd == [r.vm("a")])
    }
}

@Suite struct SpreadByIndexTests {
    /// `{i % N}` spreads a VM entry's copies over nodes and claims: vm-0…vm-5 on worker-0, 1, 2, 0, 1, 2,
    /// each with the RWX claim d-{i % 2} (vm-0, vm-2, vm-4 share d-0).
    @Test func aCountSpreadsVMsOverNodesAndClaimsByIndexModulo() throws {
        let r = try simulate(
            """
            nodes: [{name: "worker-{i}", count: 3, cpu: "32", memory: 128Gi}]
            persistentVolumeClaims: [{name: "d-{i}", count: 2, size: 10Gi, accessModes: [ReadWriteMany]}]
            vms:
              - {name: "vm-{i}", count: 6, cpu: 2, memory: 4Gi, runStrategy: Always, node: "worker-{i % 3}",
                 volumes: [{persistentVolumeClaim: {claimName: "d-{ i % 2 }"}}]}
            """)
        #expect(r.state.vmStatus.map { $0.vmi?.node?.i } == [0, 1, 2, 0, 1, 2])
        #expect(r.state.vms.map { $0.claims.map(\.i) } == [[0], [1], [0], [1], [0], [1]])
    }
}

/// CPU models: with host-model (KubeVirt's default) a guest takes the CPU model of the node it starts
/// on and may migrate only to nodes that run it (the target pod's node selector); a named model
/// limits every pod of the VM.
@Suite struct CPUModelTests {
    private let cluster = """
        stopAt: 5m
        nodes:
          - {name: "new-{i}", count: 2, cpu: "32", memory: 16Gi, cpuModel: Icelake-Server, cpuModels: [Cascadelake-Server]}
          - {name: "old-{i}", count: 2, cpu: "32", memory: 64Gi, cpuModel: Cascadelake-Server}
        persistentVolumeClaims: [{name: "d-{i}", count: 4, size: 10Gi, accessModes: [ReadWriteMany]}]
        vms:
          - {name: app, cpu: 2, memory: 8Gi, runStrategy: Always, node: new-0, volumes: [{persistentVolumeClaim: {claimName: d-0}}]}
          - {name: filler, cpu: 2, memory: 12Gi, runStrategy: Always, node: new-1, volumes: [{persistentVolumeClaim: {claimName: d-1}}]}
          - {name: legacy, cpu: 2, memory: 8Gi, runStrategy: Always, node: old-0, volumes: [{persistentVolumeClaim: {claimName: d-2}}]}

        """

    /// app started on new-0 (Icelake). Draining new-0 and old-0 at 1:00: new-1 runs Icelake but has
    /// 3.7 Gi left, old-0 is cordoned, old-1 has room but cannot run Icelake: app's target waits, and
    /// the scheduler says why. legacy (Cascadelake, from old-0) may go anywhere: it migrates.
    @Test func aHostModelGuestMigratesOnlyToNodesThatRunItsModel() throws {
        let r = try simulate(
            cluster + "timeline: [{at: 1m, nodeMaintenance: {node: new-0}}, {at: 1m, nodeMaintenance: {node: old-0}}]")
        #expect(r.state.vmStatus[r.vm("app").i].vmi?.cpuModel == "Icelake-Server")
        let m = try #require(r.migrations(of: "app").first)
        #expect(m.phase == .Scheduling)
        #expect(
            m.waitingReason?.hasSuffix(
                "(0/4 nodes available: 1 cordoned, 1 lack CPU model Icelake-Server, 1 lack 8.3Gi memory, 1 is the migration source)")
                == true)
        #expect(r.migrations(of: "legacy").first?.phase == .Succeeded)
    }

    /// A named model limits every pod: pinned where it cannot run is an error; unpinned it goes
    /// only where it can.
    @Test func aNamedModelLimitsWhereTheVMRuns() throws {
        let r = try simulate(
            cluster.replacingOccurrences(of: "stopAt: 5m\n", with: "")
                + "  - {name: ice, cpu: 2, memory: 4Gi, runStrategy: Always, cpuModel: Icelake-Server}\n")
        #expect(r.state.vmStatus[r.vm("ice").i].vmi?.node.map { r.state.nodes[$0.i].name.hasPrefix("new-") } == true)
        #expect(throws: ScenarioError.self) {
            try ScenarioLoader.load(
                text: cluster + "  - {name: ice, cpu: 2, memory: 4Gi, runStrategy: Always, cpuModel: Icelake-Server, node: old-1}\n",
                file: "t.yaml")
        }
    }
}
