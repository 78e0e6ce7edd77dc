import ClusterModel
import Controllers
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
