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
