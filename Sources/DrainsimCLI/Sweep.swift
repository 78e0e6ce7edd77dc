import ClusterModel
import Foundation
import Reporting
import Scenarios
import SimKernel
import Simulation

/// One point of a sweep's grid of settings.
struct SweepSetting: Equatable {
    var overrides: [SettingOverride]
    var name: String { overrides.isEmpty ? "as written" : overrides.map { "\($0.path)=\($0.value)" }.joined(separator: ", ") }
}

/// A sweep's plan and its per-run metrics; also what a shard writes and `merge` reads back.
struct SweepData {
    var scenario: String
    var baseSeed: UInt64
    var runs: Int
    var settings: [SweepSetting]
    /// (index, count) when this holds one shard's runs only.
    var shard: (index: Int, count: Int)?
    /// Per setting, per run: its metrics, or nil when not run here (another shard).
    var metrics: [[RunMetrics?]]

    /// Run k of every setting uses the same seed: common random numbers.
    func seed(_ k: Int) -> UInt64 { baseSeed &+ UInt64(k) }

    /// Builds the grid, checks each setting's scenario, and runs every (setting, run) of the shard.
    static func run(
        text: String, file: String, base: Scenario, sets: [(path: String, values: [String])], runs: Int?, seed: UInt64?,
        shard: (index: Int, count: Int)?, jobs: Int, progress: ((Int, Int) -> Void)?
    ) throws(ScenarioError) -> SweepData {
        let (settings, scenarios) = try load(text: text, file: file, sets: sets)

        let runs = runs ?? base.sweepRuns ?? 100
        var data = SweepData(
            scenario: base.name, baseSeed: seed ?? base.seed, runs: runs, settings: settings, shard: shard,
            metrics: Array(repeating: Array(repeating: nil, count: runs), count: settings.count))
        for (s, k, m) in SweepRunner(data: data, scenarios: scenarios).run(jobs: jobs, progress: progress) { data.metrics[s][k] = m }
        return data
    }

    /// The grid's settings and each setting's scenario, checked like the file itself (an error names
    /// the override).
    static func load(text: String, file: String, sets: [(path: String, values: [String])]) throws(ScenarioError) -> (
        [SweepSetting], [Scenario]
    ) {
        let settings = grid(sets)
        var scenarios: [Scenario] = []
        for setting in settings { scenarios.append(try Simulation.load(text: text, file: file, overrides: setting.overrides)) }
        return (settings, scenarios)
    }

    static func inShard(_ k: Int, _ shard: (index: Int, count: Int)?) -> Bool { shard.map { k % $0.count == $0.index } ?? true }

    /// The cartesian product of the values, the first path varying slowest.
    static func grid(_ sets: [(path: String, values: [String])]) -> [SweepSetting] {
        var grid: [[SettingOverride]] = [[]]
        for (path, values) in sets {
            grid = grid.flatMap { prefix in values.map { prefix + [SettingOverride(path: path, value: $0)] } }
        }
        return grid.map(SweepSetting.init)
    }
}

/// Runs the sweep's (setting, run) pairs on `jobs` threads. Each run is an independent Simulation
/// value and lands in its own slot, so the results do not depend on the number of jobs.
final class SweepRunner: @unchecked Sendable {
    /// Guards the counters and results; the calling thread waits on it for the last run.
    private let lock = NSCondition()
    private var next = 0
    private var progress: ((Int, Int) -> Void)?
    private var lastProgress = ContinuousClock.now
    private(set) var done = 0
    private var results: [RunMetrics?]
    private let work: [(setting: Int, run: Int)]
    private let scenarios: [Scenario]
    private let seeds: [UInt64]

    init(data: SweepData, scenarios: [Scenario]) {
        self.scenarios = scenarios
        seeds = (0..<data.runs).map(data.seed)
        work = data.settings.indices.flatMap { s in (0..<data.runs).filter { SweepData.inShard($0, data.shard) }.map { (s, $0) } }
        results = Array(repeating: nil, count: work.count)
    }

    private func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < work.count else { return nil }
        next += 1
        return next - 1
    }

    private func worker() {
        while let i = take() {
            let (s, k) = work[i]
            var sim = Simulation(scenario: scenarios[s], options: SimulationOptions(seed: seeds[k], trace: false))
            let metrics = RunMetrics(sim.run())
            lock.lock()
            results[i] = metrics
            done += 1
            if done == work.count { lock.broadcast() }
            // About twice a second, from whichever thread finishes a run.
            if let progress, ContinuousClock.now - lastProgress >= .milliseconds(500) {
                lastProgress = ContinuousClock.now
                progress(done, work.count)
            }
            lock.unlock()
        }
    }

    /// Runs everything on `jobs` threads, the calling one among them, and returns when the last run
    /// is done (no polling); `progress` is called about twice a second, under the lock.
    func run(jobs: Int, progress: ((Int, Int) -> Void)?) -> [(setting: Int, run: Int, metrics: RunMetrics?)] {
        self.progress = progress
        for _ in 1..<max(1, min(jobs, work.count)) {
            let t = Thread { [self] in self.worker() }
            t.stackSize = 8 << 20
            t.start()
        }
        worker()
        lock.lock()
        while done < work.count { lock.wait() }
        lock.unlock()
        return work.indices.map { (work[$0].setting, work[$0].run, results[$0]) }
    }
}
