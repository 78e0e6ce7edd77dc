import DrainsimCLI
import Foundation
import Testing

@Suite struct CLITests {
    private func run(_ args: [String]) -> (status: Int32, out: String, err: String) {
        var out = "", err = ""
        let status = CLI.main(args, out: &out, err: &err)
        return (status, out, err)
    }

    private func temporaryScenario(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drainsim-cli-\(getpid())-\(text.hashValue).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func helpListsTheCommandsAndExitsZero() {
        let r = run(["--help"])
        #expect(r.status == 0)
        #expect(r.out.contains("drainsim run FILE"))
        #expect(run(["run", "--help"]).out.contains("--seed N"))
    }

    @Test func usageErrorsExitTwo() {
        #expect(run([]).status == 2)
        #expect(run(["frobnicate"]).status == 2)
        #expect(run(["run"]).status == 2)
        #expect(run(["run", "x.yaml", "--bogus"]).err.contains("unknown option --bogus"))
        #expect(run(["run", "x.yaml", "--seed", "minus-one"]).status == 2)
    }

    @Test func anUnreadableFileExitsTwoAndSaysSo() {
        let r = run(["run", "/nonexistent/scenario.yaml"])
        #expect(r.status == 2)
        #expect(r.err == "/nonexistent/scenario.yaml: cannot read the file\n")
    }

    /// A VM evicted with strategy None is down 1 m (10 s shutdown, 20 s launcher, 30 s boot):
    /// `maxDowntime: 30s` fails, so `run` exits 1 and lists the failure.
    @Test func aFailedExpectationExitsOneAndIsListed() throws {
        let path = try temporaryScenario(
            """
            nodes: [{name: "w-{i}", count: 2, cpu: "8", memory: 32Gi}]
            vms: [{name: a, cpu: 1, memory: 1Gi, runStrategy: Always, evictionStrategy: None, node: w-0}]
            timeline: [{at: 1m, drain: w-0}]
            expect: {maxDowntime: 30s, blockedDrains: 0}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = run(["run", path])
        #expect(r.status == 1)
        #expect(r.err.contains("FAIL maxDowntime ≤ 30s (actual 1m (a))"))
        #expect(r.out.contains("PASS blockedDrains = 0"))
        let json = run(["run", path, "--json"])
        #expect(json.out.hasPrefix("{\n  \"scenario\""))
    }

    @Test func validateReportsEachFile() throws {
        let good = try temporaryScenario("nodes: [{name: n, cpu: 1, memory: 1Gi}]\n")
        let bad = try temporaryScenario("nodes: [{name: n, cpu: 1, memory: 1Gi, colour: blue}]\n")
        defer {
            try? FileManager.default.removeItem(atPath: good)
            try? FileManager.default.removeItem(atPath: bad)
        }
        let r = run(["validate", good, bad])
        #expect(r.status == 2)
        #expect(r.out == "\(good): ok\n")
        #expect(r.err.hasPrefix("\(bad):1:40: nodes[0].colour: unknown field \"colour\""))
    }
}
