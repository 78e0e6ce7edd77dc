import ClusterModel
import Scenarios

/// The imported scenario, loaded as `validate` loads it (time-zero placement included), and each
/// VMI whose own LiveMigratable condition disagrees with drainsim's judgement listed in its opening
/// comment: a disagreement means the model or the import misses something.
public enum ImportCheck {
    public static func scenario(from files: [(path: String, text: String)], file: String, rolling: Bool = false) throws(ScenarioError)
        -> String
    {
        let imported = try ClusterImport(files: files, rolling: rolling)
        let scenario: Scenario
        do { scenario = try Simulation.load(text: imported.scenario, file: file) } catch {
            var e = error
            e.message = "the imported scenario does not load (\(e.field): \(e.message)); please report it with the input"
            throw e
        }
        var notes: [String] = []
        for c in imported.liveMigratableConditions {
            guard let i = scenario.state.vms.firstIndex(where: { $0.name == c.vm }) else { continue }
            let judged = scenario.state.liveMigratable[i]
            let cluster = c.status == "True"
            if cluster == judged.isMigratable {
                if case .notMigratable(let reason, _) = judged, reason != c.reason, !cluster {
                    notes.append("\(c.vm): the VMI says \(c.reason), drainsim \(reason)")
                }
                continue
            }
            let ours: String
            switch judged {
            case .migratable: ours = "live-migratable"
            case .notMigratable(let reason, let message): ours = "not live-migratable (\(reason): \(message))"
            }
            notes.append(
                "\(c.vm): the VMI says LiveMigratable=\(c.status)" + (c.reason.isEmpty ? "" : " (\(c.reason): \(c.message))")
                    + "; drainsim judges it \(ours)")
        }
        guard !notes.isEmpty else { return imported.scenario }
        var text = imported.header
        text += "# VMIs whose LiveMigratable condition disagrees with drainsim (the model or the import misses something):\n"
        for n in notes { text += "# - \(n)\n" }
        return text + imported.body
    }
}
