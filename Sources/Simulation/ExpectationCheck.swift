import ClusterModel
import Scenarios
import SimKernel

/// Judges a finished run against the scenario's `expect` block.
enum ExpectationCheck {
    static func evaluate(_ expectations: [Expectation], record: RunRecord) -> [ExpectationResult] {
        expectations.map { judge($0, record) }
    }

    private static func judge(_ e: Expectation, _ r: RunRecord) -> ExpectationResult {
        switch e {
        case .maxDowntime(let limit):
            let actual = r.maxDowntime?.downtime ?? .zero
            let who = r.maxDowntime.map { " (\(r.state.vms[$0.vm.i].name))" } ?? ""
            return ExpectationResult(expectation: "maxDowntime ≤ \(limit)", passed: actual <= limit, actual: "\(actual)\(who)")
        case .maxTotalDowntime(let limit):
            return ExpectationResult(
                expectation: "maxTotalDowntime ≤ \(limit)", passed: r.totalDowntime <= limit, actual: "\(r.totalDowntime)")
        case .maxVMsWithDowntime(let n):
            return ExpectationResult(
                expectation: "maxVMsWithDowntime ≤ \(n)", passed: r.vmsWithDowntime <= n, actual: "\(r.vmsWithDowntime)")
        case .maxVMsDownAtEnd(let n):
            let down = r.vmsDownAtEnd
            let names = down.prefix(5).map { r.state.vms[$0.i].name }.joined(separator: ", ") + (down.count > 5 ? ", …" : "")
            return ExpectationResult(
                expectation: "maxVMsDownAtEnd ≤ \(n)", passed: down.count <= n,
                actual: "\(down.count)" + (down.isEmpty ? "" : " (\(names))"))
        case .maxVMsWithOutage(let n):
            let count = r.outageSummary.vms
            return ExpectationResult(expectation: "maxVMsWithOutage ≤ \(n)", passed: count <= n, actual: "\(count)")
        case .blockedDrains(let n):
            let blocked = r.blockedDrains.count
            let nodes = r.blockedDrains.map { r.state.nodes[$0.node.i].name }.joined(separator: ", ")
            return ExpectationResult(
                expectation: "blockedDrains = \(n)", passed: blocked == n, actual: "\(blocked)" + (nodes.isEmpty ? "" : " (\(nodes))"))
        case .maxPendingMigrationsAtEnd(let n):
            let pending = r.waitingMigrations.count
            return ExpectationResult(expectation: "maxPendingMigrationsAtEnd ≤ \(n)", passed: pending <= n, actual: "\(pending)")
        case .maintenanceWithin(let limit):
            guard let span = r.maintenanceSpan else {
                return ExpectationResult(
                    expectation: "maintenanceWithin \(limit)", passed: false,
                    actual: r.state.drains.isEmpty ? "no maintenance happened" : "a drain did not succeed")
            }
            let d = span.to - span.from
            return ExpectationResult(expectation: "maintenanceWithin \(limit)", passed: d <= limit, actual: "\(d)")
        case .maxFailedMigrations(let n):
            return ExpectationResult(
                expectation: "maxFailedMigrations ≤ \(n)", passed: r.migrationsFailed <= n, actual: "\(r.migrationsFailed)")
        case .maxSafetyFindings(let n):
            return ExpectationResult(
                expectation: "maxSafetyFindings ≤ \(n)", passed: r.findings.count <= n, actual: "\(r.findings.count)")
        case .vm(let v):
            let name = r.state.vms[v.vm.i].name
            var parts: [String] = []
            var actual: [String] = []
            var passed = true
            if let want = v.migrated {
                let did = r.migrations(of: v.vm).contains { $0.phase == .Succeeded }
                parts.append("migrated \(want)")
                actual.append("migrated \(did)")
                passed = passed && did == want
            }
            if let want = v.downAtEnd {
                let down = r.isDown(v.vm)
                parts.append("downAtEnd \(want)")
                actual.append("downAtEnd \(down)")
                passed = passed && down == want
            }
            if let limit = v.maxDowntime {
                let d = r.downtime(of: v.vm)
                parts.append("downtime ≤ \(limit)")
                actual.append("downtime \(d)")
                passed = passed && d <= limit
            }
            if let want = v.finalNode {
                let node = r.state.vmStatus[v.vm.i].vmi?.node
                parts.append("finalNode \(r.state.nodes[want.i].name)")
                actual.append("finalNode \(node.map { r.state.nodes[$0.i].name } ?? "none")")
                passed = passed && node == want
            }
            return ExpectationResult(
                expectation: "vm \(name): " + parts.joined(separator: ", "), passed: passed, actual: actual.joined(separator: ", "))
        }
    }
}
