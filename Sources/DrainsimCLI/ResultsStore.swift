import ClusterModel
import Foundation
import Reporting
import Scenarios
import SimKernel
import Simulation

/// What `results/<name>/` keeps for a shipped scenario — its report, JSON, trace and metrics, or the
/// error it is refused with — written by `check --record` and compared by `check` and the golden test.
public enum ResultsStore {
    /// Files larger than this are kept as an FNV-1a digest (`FILE.fnv1a64`).
    public static let digestThreshold = 1 << 20

    public struct Produced {
        /// (file name, content) as `drainsim run --out` writes them, or `error.txt` for a refused scenario.
        public var files: [(name: String, content: String)]
        public var record: RunRecord?
        public var scenario: Scenario?
    }

    /// Runs the scenario at `path`; messages name it as `display` (so results do not depend on where
    /// the checkout is).
    public static func produce(path: String, display: String) -> Produced {
        let text: String, scenario: Scenario
        switch CLI.load(path, display: display) {
        case .success(let loaded): (text, scenario) = (loaded.text, loaded.scenario)
        case .failure(let e): return Produced(files: [("error.txt", "exit 2\n\(e.text)\n")], record: nil, scenario: nil)
        }
        var sim = Simulation(scenario: scenario)
        let record = sim.run()
        var produced = Produced(
            files: [
                ("report.txt", ReportText.render(record)), ("report.json", ReportJSON.render(record)),
                ("trace.txt", ReportText.trace(record)),
                // The totals alone, always small enough to keep whole: what `check` compares.
                ("metrics.json", ReportJSON.totals(record).render()),
            ], record: record, scenario: scenario)
        // A scenario that declares a sweep keeps the sweep's accepted statistics too.
        if scenario.sweepRuns != nil || !scenario.sweepSettings.isEmpty,
            let data = try? SweepData.run(
                text: text, file: display, base: scenario, sets: scenario.sweepSettings, runs: nil, seed: nil, shard: nil,
                jobs: ProcessInfo.processInfo.activeProcessorCount, progress: nil)
        {
            produced.files.append(("sweep.json", SweepReport.json(data)))
        }
        return produced
    }

    /// The form kept in results/: large files as digests.
    public static func stored(_ files: [(name: String, content: String)]) -> [(name: String, content: String)] {
        files.map { f in f.content.utf8.count > digestThreshold ? (f.name + ".fnv1a64", digest(f.content)) : f }
    }

    public static func digest(_ text: String) -> String {
        String(FNV1a.hash64(text.utf8), radix: 16) + "  \(text.utf8.count) bytes\n"
    }

    /// `scenarios/x.yaml` → `results/x` next to the scenarios folder, unless a results folder is given.
    public static func directory(for path: String, results: String?) -> String {
        let name = String(URL(fileURLWithPath: path).lastPathComponent.prefix { $0 != "." })
        if let results { return results + "/" + name }
        let top = URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent()
        return top.appendingPathComponent("results/\(name)").path
    }

    public static func read(_ dir: String, _ name: String) -> String? {
        try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)
    }

    public static func write(_ dir: String, _ files: [(name: String, content: String)]) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Only what this run produces stays: a scenario that is now refused loses its old report.
        for old in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where !files.contains(where: { $0.name == old }) {
            try FileManager.default.removeItem(atPath: dir + "/" + old)
        }
        for f in files { try Data(f.content.utf8).write(to: URL(fileURLWithPath: dir + "/" + f.name)) }
    }
}
