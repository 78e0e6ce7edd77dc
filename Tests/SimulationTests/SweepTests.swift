import DrainsimCLI
import Foundation
import Reporting
import Testing

@Suite(.serialized) struct SweepTests {
    private func run(_ args: [String]) -> (status: Int32, out: String, err: String) {
        var out = "", err = ""
        let status = CLI.main(args, out: &out, err: &err)
        return (status, out, err)
    }

    private let scenario = packageRoot.appendingPathComponent("scenarios/random-failures-30d.yaml").path
    private let grid = ["--runs", "12", "--set", "cluster.remediation.type=SelfNodeRemediation,FenceAgentsRemediation"]

    @Test func resultsDoNotDependOnTheNumberOfJobs() {
        let one = run(["sweep", scenario, "--json", "--jobs", "1"] + grid)
        let four = run(["sweep", scenario, "--json", "--jobs", "4"] + grid)
        #expect(one.status == 0)
        #expect(one.out == four.out)
        #expect(one.out.contains("\"shard\": null"))
    }

    /// Three shards (runs k with k mod 3 = 0, 1, 2), merged, give the unsharded sweep byte for byte.
    @Test func mergedShardsEqualTheUnshardedSweep() throws {
        let whole = run(["sweep", scenario, "--json"] + grid)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drainsim-shards-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var files: [String] = []
        for i in 0..<3 {
            let shard = run(["sweep", scenario, "--json", "--shard", "\(i)/3"] + grid)
            #expect(shard.out.contains("\"shard\": \"\(i)/3\""))
            let path = dir + "/shard-\(i).json"
            try shard.out.write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }
        let merged = run(["merge", "--json"] + files.reversed())
        #expect(merged.status == 0, "\(merged.err)")
        #expect(merged.out == whole.out)
        #expect(run(["merge"] + files).out == run(["sweep", scenario] + grid).out)
        let missing = run(["merge"] + files.dropLast())
        #expect(missing.status == 2)
        #expect(missing.err.contains("run(s) missing"))
    }

    /// An Indexed Job gives each pod its shard index in JOB_COMPLETION_INDEX.
    @Test func theShardIndexCanComeFromTheJobCompletionIndex() {
        setenv("JOB_COMPLETION_INDEX", "1", 1)
        defer { unsetenv("JOB_COMPLETION_INDEX") }
        let fromEnv = run(["sweep", scenario, "--json", "--shard", "3"] + grid)
        let explicit = run(["sweep", scenario, "--json", "--shard", "1/3"] + grid)
        #expect(fromEnv.status == 0)
        #expect(fromEnv.out == explicit.out)
    }

    @Test func aBadSettingPathIsBadInputNamingThePath() {
        let r = run(["sweep", scenario, "--runs", "2", "--set", "cluster.liveMigration.parallelMigrationsPerCluster=five"])
        #expect(r.status == 2)
        #expect(r.err.contains("cluster.liveMigration.parallelMigrationsPerCluster: \"five\" is not an integer"))
        let wrong = run(["sweep", scenario, "--runs", "2", "--set", "cluster.liveMigraton.x=1"])
        #expect(wrong.err.contains("unknown field \"liveMigraton\"; did you mean \"liveMigration\"?"))
    }
}

@Suite struct StatisticsTests {
    /// Paired differences 1, 2, 3, 4, 5: mean 3, sample sd √2.5 = 1.5811, t(4, 0.975) = 2.776, so the
    /// half-width is 2.776 × 1.5811 / √5 = 1.9630: [1.0370, 4.9630].
    @Test func thePairedIntervalOfAHandMadeCase() throws {
        let p = try #require(Statistics.paired([10, 20, 30, 40, 50], [11, 22, 33, 44, 55]))
        #expect(p.count == 5)
        #expect(p.mean == 3)
        #expect(abs(p.low - 1.0370) < 0.0001)
        #expect(abs(p.high - 4.9630) < 0.0001)
        // Runs missing in either setting do not pair.
        #expect(Statistics.paired([1, nil, 3], [2, 5, nil])?.count == 1)
    }

    /// Nearest rank on 1…100: p50 = 50, p95 = 95, p99 = 99; on three values p50 is the second.
    @Test func percentilesByNearestRank() throws {
        let s = try #require(Statistics.summary(Array(1...100)))
        #expect((s.p50, s.p95, s.p99, s.max) == (50, 95, 99, 100))
        #expect(Statistics.percentile([5, 7, 9], 50) == 7)
        #expect(Statistics.fixed1(2.25) == "2.3")
        #expect(Statistics.fixed1(-0.04) == "0.0")
    }
}
