import ClusterModel
import Foundation
import Reporting
import Scenarios
import SimKernel
import Simulation

/// `drainsim check`: each scenario against its accepted outcome in results/ (CI regression).
struct Check {
    enum Verdict: String {
        case pass = "PASS", better = "BETTER", regression = "FAIL", recorded = "RECORDED", badInput = "ERROR"
    }

    struct Move {
        /// What moved when it is not the run's own metric: `sweep [setting] p95`.
        var label: String?
        var metric: Metric
        var from: Int64?
        var to: Int64?
        var worse: Bool
        var beyondTolerance: Bool
        var tolerance: Tolerance?

        func text() -> String {
            func show(_ v: Int64?) -> String {
                guard let v else { return "never" }
                return metric.isDuration ? SimDuration(milliseconds: v).description : "\(v)"
            }
            var s = (label.map { $0 + " " } ?? "") + "\(metric.rawValue) \(show(from)) -> \(show(to)) (\(worse ? "worse" : "better")"
            let allowed: String
            switch tolerance {
            case .absolute(let a)? where metric.isDuration: allowed = SimDuration(milliseconds: a).description
            case let t?: allowed = t.description
            case nil: allowed = "0"
            }
            if worse { s += (beyondTolerance ? ", beyond tolerance " : ", within tolerance ") + allowed }
            return s + ")"
        }
    }

    struct Outcome {
        var file: String
        var verdict: Verdict
        var moves: [Move] = []
        var expectations: [ExpectationResult] = []
        var notes: [String] = []
    }

    var outcomes: [Outcome] = []

    static func scenarioFiles(in dir: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }.sorted().map { dir + "/" + $0 }
    }

    init(files: [String], results: String?, record: Bool) throws {
        for file in files {
            let produced = ResultsStore.produce(path: file, display: file)
            let dir = ResultsStore.directory(for: file, results: results)
            let stored = ResultsStore.stored(produced.files)
            if record {
                try ResultsStore.write(dir, stored)
                outcomes.append(Outcome(file: file, verdict: produced.record == nil ? .badInput : .recorded))
                continue
            }
            outcomes.append(Check.compare(file: file, produced: produced, stored: stored, dir: dir))
        }
    }

    static func compare(file: String, produced: ResultsStore.Produced, stored: [(name: String, content: String)], dir: String)
        -> Outcome
    {
        var out = Outcome(file: file, verdict: .pass)
        guard let record = produced.record, let scenario = produced.scenario else {
            // A refused scenario passes only if refusing it is what was accepted.
            let accepted = ResultsStore.read(dir, "error.txt")
            out.verdict = accepted == produced.files.first?.content ? .pass : .badInput
            out.notes.append(produced.files.first?.content.split(separator: "\n").dropFirst().first.map(String.init) ?? "")
            return out
        }
        guard let accepted = ResultsStore.read(dir, "metrics.json"), let old = totals(accepted) else {
            out.verdict = .regression
            out.notes.append("no accepted outcome in \(dir): run drainsim check --record and commit results/")
            return out
        }
        let new = totals(ReportJSON.totals(record).render()) ?? [:]
        var unrecorded: [String] = []
        for metric in Metric.allCases {
            // A metric added after the outcome was accepted has nothing to compare with: said, not judged.
            guard let accepted = old[metric.totalsKey] else {
                unrecorded.append(metric.rawValue)
                continue
            }
            let from = accepted, to = new[metric.totalsKey] ?? nil
            if from == to { continue }
            // nil (never finished) is worse than any value.
            let worse = to == nil || (from != nil && (to ?? 0) > (from ?? 0))
            let tolerance = scenario.tolerances[metric]
            var beyond = worse
            if worse, let f = from, let t = to, let tol = tolerance { beyond = !tol.allows(from: f, to: t) }
            out.moves.append(Move(metric: metric, from: from, to: to, worse: worse, beyondTolerance: beyond, tolerance: tolerance))
        }
        if !unrecorded.isEmpty {
            out.notes.append(
                "not in the accepted metrics.json (added since): " + unrecorded.joined(separator: ", ") + "; run drainsim check --record")
        }
        let sweep = sweepMoves(
            scenario, accepted: ResultsStore.read(dir, "sweep.json"), now: stored.first { $0.name == "sweep.json" }?.content)
        out.moves += sweep ?? []
        if sweep == nil { out.notes.append("no accepted sweep.json in \(dir) (or its settings changed): run drainsim check --record") }
        out.expectations = record.expectations
        let regressed = out.moves.contains { $0.beyondTolerance } || record.expectations.contains { !$0.passed } || sweep == nil
        let improvedOnly = !out.moves.isEmpty && out.moves.allSatisfy { !$0.worse }
        out.verdict = regressed ? .regression : (improvedOnly ? .better : .pass)
        // Why: where the new run first parts from the accepted trace.
        let changed = stored.filter { f in ResultsStore.read(dir, f.name) != f.content }.map(\.name)
        if changed.contains("trace.txt"), let accepted = ResultsStore.read(dir, "trace.txt"),
            let now = stored.first(where: { $0.name == "trace.txt" })?.content
        {
            out.notes.append(firstDivergence(accepted, now))
        } else if !changed.isEmpty {
            out.notes.append("outputs differ from \(dir): " + changed.joined(separator: ", "))
        }
        return out
    }

    /// A sweep's percentiles against the accepted ones: p50, p95 and p99 of each metric, per setting,
    /// judged with the metric's tolerance.
    /// nil when there is nothing accepted to compare with (or the grid of settings changed).
    static func sweepMoves(_ scenario: Scenario, accepted: String?, now: String?) -> [Move]? {
        guard let now, let new = try? SweepReport.read(now, file: "sweep.json") else { return [] }
        guard let accepted, let old = try? SweepReport.read(accepted, file: "sweep.json"), old.settings == new.settings else { return nil }
        var moves: [Move] = []
        for s in new.settings.indices {
            for (a, b) in zip(SweepReport.rows(old, s), SweepReport.rows(new, s)) {
                for (p, x, y) in [
                    ("p50", a.summary?.p50, b.summary?.p50), ("p95", a.summary?.p95, b.summary?.p95),
                    ("p99", a.summary?.p99, b.summary?.p99),
                ]
                where x != y {
                    let worse = (y ?? Int64.max) > (x ?? Int64.max)
                    let tolerance = scenario.tolerances[a.metric]
                    var beyond = worse
                    if worse, let x, let y, let t = tolerance { beyond = !t.allows(from: x, to: y) }
                    moves.append(
                        Move(
                            label: "sweep [\(new.settings[s].name)] \(p)", metric: a.metric, from: x, to: y, worse: worse,
                            beyondTolerance: beyond,
                            tolerance: tolerance))
                }
            }
        }
        return moves
    }

    /// metrics.json: key → value (nil for null).
    static func totals(_ json: String) -> [String: Int64?]? {
        guard let root = try? YAMLReader.parse(json, file: "metrics.json"), case .mapping(let entries) = root.kind else { return nil }
        var out: [String: Int64?] = [:]
        for e in entries {
            if case .scalar(let s, _) = e.value.kind { out[e.key] = Int64(s) } else { out[e.key] = .some(nil) }
        }
        return out
    }

    static func firstDivergence(_ accepted: String, _ now: String) -> String {
        let a = accepted.split(separator: "\n", omittingEmptySubsequences: false)
        let b = now.split(separator: "\n", omittingEmptySubsequences: false)
        for k in 0..<max(a.count, b.count) {
            let x = k < a.count ? String(a[k]) : "<end of trace>", y = k < b.count ? String(b[k]) : "<end of trace>"
            if x != y { return "first divergence at trace line \(k + 1): accepted \"\(x)\", now \"\(y)\"" }
        }
        return "the trace is unchanged; the report's wording differs"
    }

    var regressions: Int { outcomes.filter { $0.verdict == .regression }.count }
    var errors: Int { outcomes.filter { $0.verdict == .badInput }.count }

    func text() -> String {
        var out = "drainsim check: \(outcomes.count) scenario(s), \(regressions) regression(s), "
        out += "\(outcomes.filter { $0.verdict == .better }.count) improved, \(errors) error(s)\n"
        for o in outcomes {
            out += "  " + o.verdict.rawValue.padded(to: 9) + o.file
            if !o.moves.isEmpty { out += ": " + o.moves.map { $0.text() }.joined(separator: "; ") }
            out += "\n"
            for e in o.expectations where !e.passed { out += "           expectation failed: \(e.expectation) (actual \(e.actual))\n" }
            for n in o.notes where !n.isEmpty { out += "           \(n)\n" }
        }
        return out
    }

    /// JUnit XML: a test suite per scenario, a test case for its metrics and one per expectation.
    func junit() -> String {
        let esc = XMLText.escape
        var cases = 0, failures = 0
        var suites = ""
        for o in outcomes {
            let name = String(URL(fileURLWithPath: o.file).lastPathComponent.prefix { $0 != "." })
            var body = ""
            var suiteFailures = 0
            let metricFailure = o.verdict == .regression || o.verdict == .badInput ? o.moves.filter(\.beyondTolerance) : []
            let failed =
                !metricFailure.isEmpty || o.verdict == .badInput
                || (o.verdict == .regression && o.expectations.allSatisfy(\.passed))
            body += "    <testcase classname=\"\(esc(name))\" name=\"metrics against results/\(esc(name))\""
            if failed {
                let message = metricFailure.isEmpty ? (o.notes.first ?? "failed") : metricFailure.map { $0.text() }.joined(separator: "; ")
                body +=
                    "><failure message=\"\(esc(message))\">\(esc((o.moves.map { $0.text() } + o.notes).joined(separator: "\n")))</failure></testcase>\n"
                suiteFailures += 1
            } else {
                body += "/>\n"
            }
            for e in o.expectations {
                body += "    <testcase classname=\"\(esc(name))\" name=\"expect \(esc(e.expectation))\""
                if e.passed {
                    body += "/>\n"
                } else {
                    body += "><failure message=\"actual \(esc(e.actual))\"/></testcase>\n"
                    suiteFailures += 1
                }
            }
            let count = 1 + o.expectations.count
            cases += count
            failures += suiteFailures
            suites += "  <testsuite name=\"\(esc(o.file))\" tests=\"\(count)\" failures=\"\(suiteFailures)\">\n" + body + "  </testsuite>\n"
        }
        return
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"drainsim check\" tests=\"\(cases)\" failures=\"\(failures)\">\n"
            + suites + "</testsuites>\n"
    }
}
