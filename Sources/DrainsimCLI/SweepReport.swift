import ClusterModel
import Foundation
import Reporting
import Scenarios
import SimKernel
import Simulation

/// Renders a sweep (text, CSV, JSON) and reads a shard's JSON back for `merge`. The same data always
/// renders to the same bytes, so merged shards equal the sweep run on one machine.
enum SweepReport {
    static let metrics = Metric.sweep
    /// The largest metric values a run can produce: every VM down for the longest run, and a count no
    /// run reaches (its history is bounded). A shard claiming more is refused.
    static let largestDurationMs = Int64(Limits.vms) * (Limits.duration + Simulation.defaultHorizon).milliseconds
    static let largestCount: Int64 = 1_000_000_000

    struct Row {
        var metric: Metric
        var summary: Statistics.Summary?
        var unfinished: Int
        var worstSeed: UInt64?
        var paired: (count: Int, mean: Double, low: Double, high: Double)?
    }

    static func values(_ data: SweepData, _ s: Int, _ m: Metric) -> [Int64?] {
        data.metrics[s].map { $0.map { $0[m] } ?? nil }
    }

    /// Per setting, per metric: the summary over finished runs, how many never finished, the worst
    /// seed, and the paired difference to the first setting.
    static func rows(_ data: SweepData, _ s: Int) -> [Row] {
        metrics.map { m in
            let runs = data.metrics[s]
            var finished: [Int64] = []
            var unfinished = 0
            var worst: (k: Int, v: Int64?)?
            for (k, r) in runs.enumerated() {
                guard let r else { continue }
                let v = r[m]
                if let v { finished.append(v) } else { unfinished += 1 }
                // Worst: never finished beats any value; the first run on ties.
                if let w = worst {
                    let worse: Bool
                    switch (v, w.v) {
                    case (nil, let old): worse = old != nil
                    case (let new?, let old?): worse = new > old
                    case (_?, nil): worse = false
                    }
                    if worse { worst = (k, v) }
                } else {
                    worst = (k, v)
                }
            }
            let paired = s == 0 ? nil : Statistics.paired(values(data, 0, m), values(data, s, m))
            return Row(
                metric: m, summary: Statistics.summary(finished), unfinished: unfinished, worstSeed: worst.map { data.seed($0.k) },
                paired: paired)
        }
    }

    static func show(_ m: Metric, _ v: Double) -> String {
        m.isDuration ? show(m, Int64(v.rounded())) : Statistics.fixed1(v)
    }

    /// Durations in the one form of every report (whole seconds, rounded up in size); the JSON and
    /// CSV keep milliseconds.
    static func show(_ m: Metric, _ v: Int64) -> String { m.isDuration ? SimDuration(milliseconds: v).description : "\(v)" }

    static func text(_ data: SweepData) -> String {
        let done = data.metrics.first?.compactMap { $0 }.count ?? 0
        var out = "drainsim sweep: \(data.scenario), \(data.runs) run(s) per setting (seeds \(data.seed(0))…\(data.seed(data.runs - 1)))"
        out += ", \(data.settings.count) setting(s)"
        if let sh = data.shard { out += ", shard \(sh.index)/\(sh.count) (\(done) runs here)" }
        out += "\n"
        // Columns sized so a row fits 120 characters (durations are at most 10: 168h00m00s).
        for s in data.settings.indices {
            out += "\n[\(s + 1)] \(data.settings[s].name)\(s == 0 && data.settings.count > 1 ? " (baseline)" : "")\n"
            out +=
                "  " + "metric".padded(to: 23) + "mean".padded(to: 13) + "95% interval".padded(to: 27) + "p50".padded(to: 11)
                + "p95".padded(to: 11)
            out += "p99".padded(to: 11) + "max".padded(to: 11) + "worst seed\n"
            let rows = rows(data, s)
            for r in rows {
                out += "  " + r.metric.rawValue.padded(to: 23)
                if let sm = r.summary {
                    out +=
                        show(r.metric, sm.mean).padded(to: 13)
                        + "[\(show(r.metric, sm.low)), \(show(r.metric, sm.high))]".padded(to: 27)
                    out += show(r.metric, sm.p50).padded(to: 11) + show(r.metric, sm.p95).padded(to: 11)
                    out += show(r.metric, sm.p99).padded(to: 11) + show(r.metric, sm.max).padded(to: 11)
                } else {
                    out += "-".padded(to: 13 + 27 + 11 * 4)
                }
                out += r.worstSeed.map { "\($0)" } ?? "-"
                if r.unfinished > 0 { out += "  (\(r.unfinished) run(s) never finished)" }
                out += "\n"
            }
            if s > 0 {
                out += "  paired difference vs [1], run by run on the same seeds:\n"
                for r in rows {
                    guard let p = r.paired else { continue }
                    out += "  " + r.metric.rawValue.padded(to: 23) + signed(r.metric, p.mean).padded(to: 13)
                    out += "[\(signed(r.metric, p.low)), \(signed(r.metric, p.high))]  over \(p.count) run(s)\n"
                }
            }
        }
        return out
    }

    static func signed(_ m: Metric, _ v: Double) -> String { (v >= 0 ? "+" : "") + show(m, v) }

    static func csv(_ data: SweepData) -> String {
        var out = "setting,metric,count,unfinished,mean,low,high,p50,p95,p99,max,worstSeed,diffMean,diffLow,diffHigh\n"
        for s in data.settings.indices {
            for r in rows(data, s) {
                var f = ["\"\(data.settings[s].name.replacingOccurrences(of: "\"", with: "\"\""))\"", r.metric.rawValue]
                if let sm = r.summary {
                    f += [
                        "\(sm.count)", "\(r.unfinished)", Statistics.fixed1(sm.mean), Statistics.fixed1(sm.low), Statistics.fixed1(sm.high),
                    ]
                    f += ["\(sm.p50)", "\(sm.p95)", "\(sm.p99)", "\(sm.max)"]
                } else {
                    f += ["0", "\(r.unfinished)", "", "", "", "", "", "", ""]
                }
                f.append(r.worstSeed.map { "\($0)" } ?? "")
                if let p = r.paired {
                    f += [Statistics.fixed1(p.mean), Statistics.fixed1(p.low), Statistics.fixed1(p.high)]
                } else {
                    f += ["", "", ""]
                }
                out += f.joined(separator: ",") + "\n"
            }
        }
        return out
    }

    static func json(_ data: SweepData) -> String {
        let sharded = data.shard != nil
        let settings: [JSONValue] = data.settings.indices.map { s in
            let rows = rows(data, s)
            var fields: [(String, JSONValue)] = [
                ("name", .string(data.settings[s].name)),
                (
                    "overrides",
                    .array(data.settings[s].overrides.map { .object([("path", .string($0.path)), ("value", .string($0.value))]) })
                ),
            ]
            // A shard's partial summaries would mislead; merge computes them from all runs.
            fields.append(("summary", sharded ? .null : .object(rows.map { ($0.metric.rawValue, summaryJSON($0)) })))
            fields.append(
                (
                    "vsBaseline",
                    sharded || s == 0
                        ? .null
                        : .object(
                            rows.map { r in
                                (
                                    r.metric.rawValue,
                                    r.paired.map { p in
                                        .object([
                                            ("count", .int(p.count)), ("mean", .number(Statistics.fixed1(p.mean))),
                                            ("low", .number(Statistics.fixed1(p.low))), ("high", .number(Statistics.fixed1(p.high))),
                                        ])
                                    } ?? .null
                                )
                            })
                ))
            let runs: [JSONValue] = data.metrics[s].enumerated().compactMap { k, r in
                guard let r else { return nil }
                return .array([.int(k), .int(Int64(bitPattern: data.seed(k)))] + metrics.map { r[$0].map(JSONValue.int) ?? .null })
            }
            fields.append(("runs", .array(runs)))
            return .object(fields)
        }
        return JSONValue.object([
            ("scenario", .string(data.scenario)),
            ("baseSeed", .int(Int64(bitPattern: data.baseSeed))),
            ("runs", .int(data.runs)),
            ("shard", data.shard.map { .string("\($0.index)/\($0.count)") } ?? .null),
            ("metrics", .array(metrics.map { .string($0.rawValue) })),
            ("settings", .array(settings)),
        ]).render()
    }

    static func summaryJSON(_ r: Row) -> JSONValue {
        guard let sm = r.summary else { return .object([("count", .int(0)), ("unfinished", .int(r.unfinished))]) }
        return .object([
            ("count", .int(sm.count)), ("unfinished", .int(r.unfinished)), ("mean", .number(Statistics.fixed1(sm.mean))),
            ("low", .number(Statistics.fixed1(sm.low))), ("high", .number(Statistics.fixed1(sm.high))), ("p50", .int(sm.p50)),
            ("p95", .int(sm.p95)), ("p99", .int(sm.p99)), ("max", .int(sm.max)),
            ("worstSeed", r.worstSeed.map { .int(Int64(bitPattern: $0)) } ?? .null),
        ])
    }

    struct MergeError: Error { var message: String }

    /// Reads a sweep's or a shard's JSON back: plan and per-run metrics.
    static func read(_ text: String, file: String) throws -> SweepData {
        func fail(_ why: String) -> MergeError { MergeError(message: "\(file): \(why)") }
        let root: YAMLNode
        do { root = try YAMLReader.parse(text, file: file) } catch { throw fail(error.description) }
        guard case .mapping(let top) = root.kind else { throw fail("not a sweep's JSON") }
        func field(_ entries: [YAMLEntry], _ key: String) -> YAMLNode? { entries.first { $0.key == key }?.value }
        func scalar(_ n: YAMLNode?) -> String? {
            if case .scalar(let s, _)? = n?.kind { return s }
            return nil
        }
        guard let name = scalar(field(top, "scenario")), let seed = scalar(field(top, "baseSeed")).flatMap(Int64.init),
            let runs = scalar(field(top, "runs")).flatMap(Int.init), (1...Limits.sweepRuns).contains(runs),
            case .sequence(let settingNodes)? = field(top, "settings")?.kind,
            case .sequence(let metricNames)? = field(top, "metrics")?.kind,
            metricNames.compactMap(scalar) == metrics.map(\.rawValue)
        else { throw fail("not a drainsim sweep JSON of this version") }
        var shard: (Int, Int)?
        if let sh = scalar(field(top, "shard")) {
            let parts = sh.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2, parts[1] >= 1, parts[0] >= 0, parts[0] < parts[1] else { throw fail("bad shard \"\(sh)\"") }
            shard = (parts[0], parts[1])
        }
        var settings: [SweepSetting] = []
        var all: [[RunMetrics?]] = []
        for node in settingNodes {
            guard case .mapping(let e) = node.kind, case .sequence(let overrides)? = field(e, "overrides")?.kind,
                case .sequence(let runNodes)? = field(e, "runs")?.kind
            else { throw fail("a setting without overrides or runs") }
            settings.append(
                SweepSetting(
                    overrides: try overrides.map { o in
                        guard case .mapping(let oe) = o.kind, let p = scalar(field(oe, "path")), let v = scalar(field(oe, "value")) else {
                            throw fail("a bad override")
                        }
                        return SettingOverride(path: p, value: v)
                    }))
            var perRun = [RunMetrics?](repeating: nil, count: runs)
            for r in runNodes {
                guard case .sequence(let cells) = r.kind, cells.count == 2 + metrics.count, let k = scalar(cells[0]).flatMap(Int.init),
                    k >= 0, k < runs
                else { throw fail("a bad run row") }
                var values: [Metric: Int64?] = [:]
                for (i, m) in metrics.enumerated() {
                    guard let text = scalar(cells[2 + i]) else {
                        if case .null = cells[2 + i].kind, m == .maintenanceSpan {  // never finished
                            values[m] = .some(nil)
                            continue
                        }
                        throw fail("run \(k): \(m.rawValue) is not a number")
                    }
                    // What a run can produce (Limits): anything else is not a drainsim shard.
                    guard let v = Int64(text), v >= 0, v <= (m.isDuration ? SweepReport.largestDurationMs : SweepReport.largestCount) else {
                        throw fail("run \(k): \(m.rawValue) \(text) is out of range")
                    }
                    values[m] = v
                }
                perRun[k] = RunMetrics(values: values)
            }
            all.append(perRun)
        }
        return SweepData(
            scenario: name, baseSeed: UInt64(bitPattern: seed), runs: runs, settings: settings, shard: shard, metrics: all)
    }

    /// Shards of one sweep into the sweep one machine would have produced.
    static func merge(_ parts: [SweepData]) throws -> SweepData {
        guard var merged = parts.first else { throw MergeError(message: "no shards given") }
        for p in parts.dropFirst() {
            guard p.scenario == merged.scenario, p.baseSeed == merged.baseSeed, p.runs == merged.runs, p.settings == merged.settings else {
                throw MergeError(message: "the shards are not of one sweep (scenario, seeds, runs or settings differ)")
            }
            for s in p.metrics.indices {
                for k in p.metrics[s].indices where p.metrics[s][k] != nil {
                    if merged.metrics[s][k] != nil && merged.metrics[s][k] != p.metrics[s][k] {
                        throw MergeError(message: "run \(k) of setting \(s + 1) appears twice with different results")
                    }
                    merged.metrics[s][k] = p.metrics[s][k]
                }
            }
        }
        let missing = merged.metrics.flatMap { $0 }.filter { $0 == nil }.count
        if missing > 0 { throw MergeError(message: "\(missing) run(s) missing: give every shard") }
        merged.shard = nil
        return merged
    }
}
