@testable import DrainsimCLI
import Foundation
import Scenarios
import Simulation
import Testing

/// Every shipped scenario's outputs are kept in results/<name>/ and compared byte for byte.
/// `DRAINSIM_RECORD=1 swift test --filter Golden` rewrites them (and fails, so it is never left on);
/// review with `git diff results/`. Outputs over 1 MB are kept as an FNV-1a digest (`FILE.fnv1a64`).
@Suite struct GoldenTests {
    static let scenarios: [String] = {
        let dir = packageRoot.appendingPathComponent("scenarios").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".json") }.sorted()
    }()

    static let recording = ProcessInfo.processInfo.environment["DRAINSIM_RECORD"] == "1"

    @Test func thereAreShippedScenarios() {
        #expect(GoldenTests.scenarios.count >= 10)
    }

    @Test(arguments: GoldenTests.scenarios)
    func outputsMatchTheAcceptedResults(_ file: String) throws {
        let path = packageRoot.appendingPathComponent("scenarios/\(file)").path
        let produced = ResultsStore.produce(path: path, display: "scenarios/\(file)")
        let dir = ResultsStore.directory(for: path, results: nil)
        let stored = ResultsStore.stored(produced.files)
        if GoldenTests.recording {
            try ResultsStore.write(dir, stored)
            Issue.record("recorded \(dir); unset DRAINSIM_RECORD and review git diff results/")
            return
        }
        for (name, content) in stored {
            let accepted = ResultsStore.read(dir, name)
            #expect(accepted != nil, "missing \(dir)/\(name): run DRAINSIM_RECORD=1 swift test --filter Golden")
            if let accepted, accepted != content {
                Issue.record("\(dir)/\(name) differs: \(Check.firstDivergence(accepted, content))")
            }
        }
    }

    /// `drainsim run FILE --out DIR` writes what results/ keeps, and prints the text report.
    @Test func runWritesTheSameOutputsAsTheResults() throws {
        let path = packageRoot.appendingPathComponent("scenarios/livemigrate-rwx.yaml").path
        let outDir = FileManager.default.temporaryDirectory.appendingPathComponent("drainsim-run-out-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: outDir) }
        var out = "", err = ""
        #expect(CLI.main(["run", path, "--out", outDir], out: &out, err: &err) == 0)
        let produced = ResultsStore.produce(path: path, display: path)
        for (name, content) in produced.files where name != "metrics.json" {
            #expect(try String(contentsOfFile: outDir + "/" + name, encoding: .utf8) == content, "\(name)")
        }
        #expect(out == produced.files[0].content)
    }
}

@Suite struct ReportLayoutTests {
    /// Every shipped report fits a 120-column terminal; the full detail stays in report.json.
    @Test(arguments: GoldenTests.scenarios)
    func shippedReportsFitOneHundredTwentyColumns(_ file: String) throws {
        let name = file.replacingOccurrences(of: ".yaml", with: "").replacingOccurrences(of: ".json", with: "")
        let path = packageRoot.appendingPathComponent("results/\(name)/report.txt").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }  // kept as a digest
        let long = text.split(separator: "\n").filter { $0.count > 120 }.map(String.init)
        #expect(long.isEmpty, "\(long)")
    }
}

@Suite struct DeterminismTests {
    /// The binary next to the test bundle, built by `swift build` before `swift test`.
    static func binary() -> String? {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [here, here.deletingLastPathComponent(), packageRoot.appendingPathComponent(".build/debug")] {
            let p = dir.appendingPathComponent("drainsim").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Two processes, same scenario and seed: byte-identical report, JSON, trace, timeline and time series.
    @Test func twoProcessesProduceIdenticalOutputs() throws {
        let bin = try #require(DeterminismTests.binary(), "build the drainsim binary first (swift build)")
        let scenario = packageRoot.appendingPathComponent("scenarios/rolling-small.yaml").path
        var outputs: [[Data]] = []
        for k in 0..<2 {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drainsim-det-\(getpid())-\(k)").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: bin)
            p.arguments = ["run", scenario, "--seed", "7", "--out", dir]
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            outputs.append(
                try ["report.txt", "report.json", "trace.txt", "timeline.html", "timeseries.csv"].map {
                    try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0))
                })
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0].allSatisfy { !$0.isEmpty })
    }

    @Test func theSeedIsPrintedAndChangesNothingWithoutRandomness() throws {
        let text = try String(contentsOfFile: packageRoot.appendingPathComponent("scenarios/rolling-small.yaml").path, encoding: .utf8)
        let scenario = try ScenarioLoader.load(text: text, file: "rolling-small.yaml")
        var a = Simulation(scenario: scenario, options: SimulationOptions(seed: 1))
        var b = Simulation(scenario: scenario, options: SimulationOptions(seed: 2))
        let ra = a.run(), rb = b.run()
        #expect(ra.seed == 1 && rb.seed == 2)
        #expect(ra.trace.map(\.text).dropFirst() == rb.trace.map(\.text).dropFirst())
    }
}

@Suite struct InvariantTests {
    /// Every shipped scenario keeps the invariants after every event: one node per VMI, capacity,
    /// migration limits, RWO on one node. Invariants are O(cluster) per event, so the speed scenarios
    /// (over 1,000 VMs) are checked at a tenth of their size where they are tested (WaitingForANodeTests).
    @Test(arguments: GoldenTests.scenarios)
    func shippedScenariosKeepTheInvariants(_ file: String) throws {
        let text = try String(contentsOfFile: packageRoot.appendingPathComponent("scenarios/\(file)").path, encoding: .utf8)
        guard let scenario = try? ScenarioLoader.load(text: text, file: file) else { return }  // the rejected one
        guard scenario.state.vms.count <= 1_000 else { return }
        var sim = Simulation(scenario: scenario, options: SimulationOptions(checkInvariants: true))
        _ = sim.run()
        #expect(sim.invariantViolations.isEmpty, "\(sim.invariantViolations.prefix(5))")
    }
}
