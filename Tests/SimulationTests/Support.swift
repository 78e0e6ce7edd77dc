import ClusterModel
import Foundation
import Scenarios
import Simulation
import SimKernel
import Testing

/// Runs a scenario given as YAML text with the invariants checked after every event.
func simulate(_ yaml: String, seed: UInt64? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> RunRecord {
    let scenario = try ScenarioLoader.load(text: yaml, file: "test.yaml")
    var sim = Simulation(scenario: scenario, options: SimulationOptions(seed: seed, checkInvariants: true))
    let record = sim.run()
    #expect(sim.invariantViolations.isEmpty, "invariants broken: \(sim.invariantViolations.prefix(5))", sourceLocation: sourceLocation)
    return record
}

func ms(_ v: Int64) -> SimTime { SimTime(milliseconds: v) }

extension RunRecord {
    func vm(_ name: String) -> VMID {
        VMID(state.vms.firstIndex { $0.name == name } ?? -1)
    }

    func migrations(of name: String) -> [VirtualMachineInstanceMigration] { migrations(of: vm(name)) }
}

/// The package's top folder, found from this file's path.
let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A three-worker cluster with 10 Gbit/s migration links, for rule tests.
let threeWorkers = """
    nodes:
      - name: worker-{i}
        count: 3
        cpu: "32"
        memory: 128Gi
        migrationLink: 10Gbps

    """

/// Four 8 GiB VMs on RWX disks dirtying 100 MiB/s, all on worker-0, drained by a NodeMaintenance at
/// 1:00 (see MigrationTests for the figures this gives).
let fourWebVMsDrainedFromWorker0 =
    threeWorkers + """
        persistentVolumeClaims: [{name: "d-{i}", count: 4, size: 30Gi, accessModes: [ReadWriteMany]}]
        vms:
          - {name: "web-{i}", count: 4, cpu: 4, memory: 8Gi, runStrategy: Always, dirtyRate: 100MiB/s,
             node: worker-0, volumes: [{persistentVolumeClaim: {claimName: "d-{i}"}}]}
        timeline: [{at: 1m, nodeMaintenance: {node: worker-0}}]
        """

extension String {
    /// Whether the report says `sentence`, wherever the 120-column layout broke its lines or padded
    /// its columns: runs of spaces and newlines compare as one space.
    func mentions(_ sentence: String) -> Bool { squeezed.contains(sentence.squeezed) }

    private var squeezed: String { replacingOccurrences(of: "[ \n]+", with: " ", options: .regularExpression) }
}
