import Foundation
import Scenarios
import Simulation

extension CLI {
    static let importHelp = """
        drainsim import FILE... [-o SCENARIO.yaml] [--rolling]

        Builds a scenario from a cluster's own objects, as `oc get … -o yaml` (or -o json) prints them:
        single objects, `kind: List`, or documents separated by ---. Reads Nodes, PVCs, DataVolumes,
        VirtualMachines and their VMIs, HyperConverged or KubeVirt, MigrationPolicies, NodeMaintenances,
        Deployments, StatefulSets, DaemonSets, PodDisruptionBudgets, StorageClasses and StorageProfiles.
        The scenario opens with a comment listing every default and guess applied and the kinds skipped,
        and every VMI whose LiveMigratable condition disagrees with drainsim's judgement.
          -o FILE     write the scenario to FILE (default: standard output)
          --rolling   add a rolling maintenance of every worker (one at a time, 10 minutes each, from
                      1:00), so the scenario runs as it is; otherwise add a timeline before running
        Exit status: 0 written, 2 bad input (FILE:LINE:COLUMN: FIELD: MESSAGE).
        """

    static func importCluster(_ args: [String], out: inout String, err: inout String) -> ExitCode {
        let o: Options
        switch options("import", args, allowed: ["-o", "--output", "--rolling"], help: importHelp, out: &out, err: &err) {
        case .success(let parsed): o = parsed
        case .failure(let code): return code
        }
        guard !o.files.isEmpty else {
            err += "drainsim import: give the files `oc get … -o yaml` wrote\n\n" + importHelp + "\n"
            return .badInput
        }
        var files: [(path: String, text: String)] = []
        for path in o.files {
            switch readText(path) {
            case .success(let text): files.append((path, text))
            case .failure(let e):
                err += e.text + "\n"
                return .badInput
            }
        }
        let scenario: String
        do {
            scenario = try ImportCheck.scenario(from: files, file: o.outDir ?? "imported.yaml", rolling: o.rolling)
        } catch {
            err += error.description + "\n"
            return .badInput
        }
        return emit(scenario, to: o.outDir, command: "import", out: &out, err: &err)
    }
}
