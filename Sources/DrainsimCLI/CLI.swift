import ClusterModel
import Foundation
import Reporting
import Scenarios
import Simulation

/// `drainsim` commands. Output goes to the given strings so tests can run commands in-process.
public enum CLI {
    public enum ExitCode: Int32, Error {
        case ok = 0
        case expectationsFailed = 1
        case badInput = 2
        /// `run --check-invariants` found a broken invariant: a bug in drainsim, not in the scenario.
        case invariantBroken = 3
    }

    public static let usage = """
        drainsim: what-if simulation of KubeVirt / OpenShift Virtualization node maintenance

        Usage:
          drainsim run FILE [--seed N] [--out DIR] [--json] [--check-invariants]
                                                             run a scenario and print its report
          drainsim validate FILE...                          check scenario files, print nothing but errors
          drainsim bench FILE [--repeat N]                   time a scenario (events per second, wall time)
          drainsim capacity FILE --nodes A,B|-l SEL|--each  can these nodes be emptied? who is stranded, what is missing
          drainsim check [FILE...] [--record] [--junit FILE] compare scenarios with their accepted results (CI)
          drainsim sweep FILE [--runs N] [--set PATH=V1,V2]... [--jobs J] [--shard I/N] [--json] [--csv FILE]
                                                             run many seeds and a grid of settings; statistics
          drainsim merge SHARD.json... [--json] [--csv FILE] combine a sharded sweep's outputs
          drainsim import FILE... [-o SCENARIO] [--rolling]  a scenario from `oc get -o yaml` output
          drainsim generate --nodes N [--vms-per-node K]...  a synthetic cluster under a rolling maintenance
          drainsim COMMAND --help                            help on one command
          drainsim --version                                 the release

        Options take their value as --flag value or --flag=value; -o json is --json.

        Exit status: 0 ok, 1 an expectation of the scenario failed, 2 bad input or usage,
        3 a broken invariant (run --check-invariants): a bug in drainsim, please report it.
        """

    static let runHelp = """
        drainsim run FILE [--seed N] [--out DIR] [--json] [--check-invariants]

        Runs the scenario FILE (YAML or JSON) and prints its text report.
          --seed N             use seed N instead of the scenario's own (default: the scenario's, else 1)
          --out DIR            also write DIR/report.txt, DIR/report.json, DIR/trace.txt,
                               DIR/timeline.html and DIR/timeseries.csv
          --json, -o json      print the JSON report instead of the text one
          --check-invariants   check the model's rules after every event (one node per VMI, one node
                               per ReadWriteOnce volume, capacity, migration limits, outages); slower
        Exit status: 0 all expectations met, 1 some failed (listed in the report), 2 bad input,
        3 an invariant broke: a bug in drainsim, printed with the event and the seed.
        """

    static let validateHelp = """
        drainsim validate FILE...

        Reads each scenario and checks it against the schema. Prints `FILE: ok` or the first error as
        FILE:LINE:COLUMN: FIELD: MESSAGE. Exit status 0 when all are valid, 2 otherwise.
        """

    static let capacityHelp = """
        drainsim capacity FILE (--nodes A,B | -l SELECTOR) [--json]
        drainsim capacity FILE --each [--nodes A,B | -l SELECTOR] [--json]

        On the scenario's cluster as it stands at time zero (its timeline is not run), cordons the given
        nodes and places each of their VMs elsewhere, in order, as the scheduler would (constraints and
        capacity included). Lists where each VM goes, the VMs that are stranded and why (not
        live-migratable with LiveMigrate, External, or no node fits), and the CPU and memory missing for
        the VMs stranded for lack of room (others get no node suggestion: more nodes would not move them).
          -l, --selector S   the nodes whose labels match S, as kubectl reads it: key=value, key!=value,
                             key, !key, comma-separated, all must hold (e.g. -l topology.kubernetes.io/zone=rack-a)
          --each             the N+1 question: each node alone (default: every worker), listing those
                             that cannot be emptied
        Exit status: 0 when every VM can go, 1 when some are stranded, 2 bad input.
        """

    static let checkHelp = """
        drainsim check [FILE...] [--record] [--junit FILE] [--results DIR]

        Runs each scenario (default: every scenarios/*.yaml and *.json) and compares its metrics with the
        accepted outcome in results/<name>/report.json: a metric that got worse beyond its tolerance
        (expect.tolerances in the scenario; default none) or a failed expectation is a regression; a
        better one is reported and passes. For each change it names the metrics that moved, from what to
        what, and the first line where the trace parts from the accepted one.
          --record       rewrite results/<name>/ from this run (review with git diff results/)
          --junit FILE   also write JUnit XML: a test case per scenario and per expectation
          --results DIR  where the accepted outcomes are (default: results/ beside the scenarios folder)
        Exit status: 0 all pass, 1 regressions, 2 bad input.
        """

    static let sweepHelp = """
        drainsim sweep FILE [--runs N] [--set PATH=V1,V2]... [--seed N] [--jobs J] [--shard I/N] [--json] [--csv FILE]

        Runs the scenario N times (default: its sweep.runs, else 100) with seeds S, S+1, … (S: --seed,
        else the scenario's seed) for every setting of the grid: each --set (or the scenario's sweep.set)
        gives a path in the scenario and its values, several make a cartesian product. Run k of every
        setting uses the same seed, so settings are compared on the same histories: the report gives, per
        setting and metric, mean with its 95 % interval, p50, p95, p99, max and the seed of the worst run
        (replay it with drainsim run --seed), and for each setting the paired difference to the first.
          --jobs J       threads (default: every core); the results do not depend on it
          --shard I/N    run only the runs k with k mod N = I; --shard N takes I from JOB_COMPLETION_INDEX
          --json, -o json  print JSON (a shard's JSON is what drainsim merge reads)
          --csv FILE     also write the table as CSV
        Progress (runs done, rate, time left) goes to standard error when it is a terminal.
        """

    static let mergeHelp = """
        drainsim merge SHARD.json... [--json] [--csv FILE]

        Combines the JSON outputs of a sweep's shards into the report one machine would have produced.
        """

    static let benchHelp = """
        drainsim bench FILE [--repeat N]

        Runs the scenario N times (default 3) without the trace and prints wall time and events per
        second for each run and the best one. Build with -c release for meaningful figures.
        """

    /// This release; `drainsim --version` prints it.
    public static let version = "0.14.0"

    public static func main(_ args: [String], out: inout String, err: inout String) -> Int32 {
        guard let command = args.first else {
            err += usage + "\n"
            return ExitCode.badInput.rawValue
        }
        let rest: [String]
        do { rest = try inlineValuesSplit(Array(args.dropFirst())) } catch {
            err += "drainsim \(command): \(error.message)\n"
            return ExitCode.badInput.rawValue
        }
        switch command {
        case "--help", "-h", "help":
            out += usage + "\n"
            return ExitCode.ok.rawValue
        case "--version", "version":
            out += "drainsim \(version)\n"
            return ExitCode.ok.rawValue
        case "run": return run(rest, out: &out, err: &err).rawValue
        case "validate": return validate(rest, out: &out, err: &err).rawValue
        case "bench": return bench(rest, out: &out, err: &err).rawValue
        case "capacity": return capacity(rest, out: &out, err: &err).rawValue
        case "check": return check(rest, out: &out, err: &err).rawValue
        case "sweep": return sweep(rest, out: &out, err: &err).rawValue
        case "merge": return merge(rest, out: &out, err: &err).rawValue
        case "import": return importCluster(rest, out: &out, err: &err).rawValue
        case "generate": return generate(rest, out: &out, err: &err).rawValue
        default:
            err += "drainsim: unknown command \"\(command)\"\n\n" + usage + "\n"
            return ExitCode.badInput.rawValue
        }
    }

    struct Options {
        var files: [String] = []
        var seed: UInt64?
        var outDir: String?
        var json = false
        var repeatCount = 3
        var nodes: [String] = []
        var selector: String?
        var each = false
        var sets: [String] = []
        var runs: Int?
        var jobs: Int?
        var shard: String?
        var csv: String?
        var record = false
        var junit: String?
        var results: String?
        var help = false
        var checkInvariants = false
        var rolling = false
    }

    static func parse(_ args: [String], allowed: Set<String>) throws(UsageError) -> Options {
        var o = Options()
        var k = 0
        func value(_ flag: String) throws(UsageError) -> String {
            k += 1
            guard k < args.count else { throw UsageError(message: "\(flag) needs a value") }
            return args[k]
        }
        while k < args.count {
            let a = args[k]
            if a == "--help" || a == "-h" {
                o.help = true
            } else if (a == "-o" || a == "--output") && allowed.contains("--json") {
                // `-o json` as in oc/kubectl, where the command prints a report.
                let v = try value(a)
                switch v {
                case "json": o.json = true
                case "text": o.json = false
                default: throw UsageError(message: "\(a) takes json or text, not \"\(v)\"")
                }
            } else if a.hasPrefix("-") {
                guard allowed.contains(a) else { throw UsageError(message: "unknown option \(a)") }
                switch a {
                case "--seed":
                    let v = try value(a)
                    guard let s = UInt64(v) else { throw UsageError(message: "--seed needs a non-negative integer, not \"\(v)\"") }
                    o.seed = s
                case "--out", "-o", "--output": o.outDir = try value(a)
                case "--json": o.json = true
                case "--nodes": o.nodes = try value(a).split(separator: ",").map(String.init)
                case "-l", "--selector": o.selector = try value(a)
                case "--each": o.each = true
                case "--set": o.sets.append(try value(a))
                case "--runs":
                    guard let n = Int(try value(a)), n > 0 else { throw UsageError(message: "--runs needs a positive integer") }
                    o.runs = n
                case "--jobs":
                    guard let n = Int(try value(a)), n > 0 else { throw UsageError(message: "--jobs needs a positive integer") }
                    o.jobs = n
                case "--shard": o.shard = try value(a)
                case "--csv": o.csv = try value(a)
                case "--record": o.record = true
                case "--check-invariants": o.checkInvariants = true
                case "--rolling": o.rolling = true
                case "--junit": o.junit = try value(a)
                case "--results": o.results = try value(a)
                case "--repeat":
                    let v = try value(a)
                    guard let n = Int(v), n > 0 else { throw UsageError(message: "--repeat needs a positive integer") }
                    o.repeatCount = n
                default: break
                }
            } else {
                o.files.append(a)
            }
            k += 1
        }
        return o
    }

    struct UsageError: Error { var message: String }

    /// Options that take no value: `--json=true` is refused rather than read as a file named "true".
    static let switches: Set<String> = ["--json", "--each", "--record", "--check-invariants", "--rolling", "--help"]

    /// `--flag=value` and `-o=json` as well as `--flag value`, as the Kubernetes tools accept: split
    /// at the first "=".
    static func inlineValuesSplit(_ args: [String]) throws(UsageError) -> [String] {
        var out: [String] = []
        for a in args {
            let short = a.count > 2 && a.hasPrefix("-") && !a.hasPrefix("--") && a.dropFirst(2).first == "="
            guard a.hasPrefix("--") || short, let eq = a.firstIndex(of: "=") else {
                out.append(a)
                continue
            }
            let flag = String(a[..<eq])
            if switches.contains(flag) { throw UsageError(message: "\(flag) takes no value (\(a))") }
            out += [flag, String(a[a.index(after: eq)...])]
        }
        return out
    }

    /// Reads and checks a scenario file; the error text names file (as `display`), line, column and field.
    public static func load(_ path: String, display: String? = nil) -> Result<ScenarioFile, ScenarioErrorText> {
        let name = display ?? path
        let text: String
        switch readText(path, display: display) {
        case .success(let t): text = t
        case .failure(let e): return .failure(e)
        }
        do {
            return .success(ScenarioFile(text: text, scenario: try Simulation.load(text: text, file: name)))
        } catch {
            return .failure(ScenarioErrorText(text: error.description))
        }
    }

    /// Line, column and value of the first byte that is not UTF-8.
    static func notUTF8(_ data: Data) -> String {
        var line = 1, column = 1, offset = 0
        let bytes = [UInt8](data)
        while offset < bytes.count {
            var it = bytes[offset...].makeIterator()
            var decoder = UTF8()
            guard case .scalarValue(let scalar) = decoder.decode(&it) else {
                return "\(line):\(column): byte 0x\(String(bytes[offset], radix: 16, uppercase: true))"
            }
            offset += UTF8.width(scalar)
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return "\(line):\(column)"
    }

    /// A scenario and the text it was read from.
    public struct ScenarioFile: Sendable {
        public var text: String
        public var scenario: Scenario
    }

    public struct ScenarioErrorText: Error {
        public var text: String
    }

    /// What every command does first: parse its options, or answer --help. A failure carries the exit
    /// code when there is nothing more to do (usage error, or help given).
    static func options(
        _ command: String, _ args: [String], allowed: Set<String>, help: String, out: inout String, err: inout String
    ) -> Result<Options, ExitCode> {
        let o: Options
        do { o = try parse(args, allowed: allowed) } catch {
            err += "drainsim \(command): \(error.message)\n\n" + help + "\n"
            return .failure(.badInput)
        }
        if o.help {
            out += help + "\n"
            return .failure(.ok)
        }
        return .success(o)
    }

    /// What a command that takes one scenario file does before its own work: its options, then the file.
    static func prepare(
        _ command: String, _ args: [String], allowed: Set<String>, help: String, out: inout String, err: inout String
    ) -> Result<(Options, Scenario), ExitCode> {
        let o: Options
        switch options(command, args, allowed: allowed, help: help, out: &out, err: &err) {
        case .success(let parsed): o = parsed
        case .failure(let code): return .failure(code)
        }
        guard o.files.count == 1, let file = o.files.first else {
            err += "drainsim \(command): give exactly one scenario file\n\n" + help + "\n"
            return .failure(.badInput)
        }
        switch load(file) {
        case .success(let loaded): return .success((o, loaded.scenario))
        case .failure(let e):
            err += e.text + "\n"
            return .failure(.badInput)
        }
    }

    static func run(_ args: [String], out: inout String, err: inout String) -> ExitCode {
        let o: Options, scenario: Scenario
        switch prepare("run", args, allowed: ["--seed", "--out", "--json", "--check-invariants"], help: runHelp, out: &out, err: &err) {
        case .success(let prepared): (o, scenario) = prepared
        case .failure(let code): return code
        }
        // With --out the trace goes to its file as the run makes it.
        var traceFile: OutputFile?
        if let dir = o.outDir {
            if let problem = makeOutputDirectory(dir) {
                err += "drainsim run: --out \(dir): \(problem)\n"
                return .badInput
            }
            do { traceFile = try OutputFile(dir + "/trace.txt") } catch {
                err += "drainsim run: cannot write to \(dir): \(error.localizedDescription)\n"
                return .badInput
            }
        }
        // The scenario and the simulation (its initial state, its event queue) are let go once the
        // run is over: only the record is needed to write the outputs.
        let (record, violations) = simulate(
            consume scenario, SimulationOptions(seed: o.seed, checkInvariants: o.checkInvariants, trace: false),
            traceSink: traceFile.map { file in { file.write($0) } })
        if !violations.isEmpty {
            err += "drainsim run: BUG: an invariant of the model broke; please report it with the scenario and this text:\n"
            for v in violations { err += "  \(v)\n" }
            return .invariantBroken
        }
        // Only what is asked for is built, and files are written as they are made: the JSON report
        // and the trace of a large cluster are hundreds of megabytes.
        let text = o.outDir != nil || !o.json ? ReportText.render(record) : ""
        if let dir = o.outDir {
            do {
                try traceFile?.close()
                try write(text, to: dir + "/report.txt")
                try stream(to: dir + "/report.json") { chunk in ReportJSON.write(record, chunk: chunk) }
                let timeline = RunTimeline(record)
                try stream(to: dir + "/timeline.html") { chunk in TimelineHTML.write(record, timeline) { chunk(Array($0.utf8)) } }
                try stream(to: dir + "/timeseries.csv") { chunk in timeline.csv(chunk: chunk) }
            } catch {
                err += "drainsim run: cannot write to \(dir): \(error.localizedDescription)\n"
                return .badInput
            }
        }
        out += o.json ? ReportJSON.render(record) : text
        if record.expectations.contains(where: { !$0.passed }) {
            err += "drainsim run: expectations not met (\(record.scenarioName), seed \(record.seed)):\n"
            for e in record.expectations where !e.passed { err += "  FAIL \(e.expectation) (actual \(e.actual))\n" }
            return .expectationsFailed
        }
        return .ok
    }

    static func simulate(
        _ scenario: consuming Scenario, _ options: SimulationOptions, traceSink: (([UInt8]) -> Void)?
    ) -> (RunRecord, [String]) {
        var sim = Simulation(scenario: scenario, options: options, traceSink: traceSink)
        let record = sim.run()
        return (record, sim.invariantViolations)
    }

    /// Writes the pieces `produce` hands over to a new file at `path`.
    static func stream(to path: String, _ produce: (([UInt8]) -> Void) -> Void) throws {
        let file = try OutputFile(path)
        produce(file.write)
        try file.close()
    }

    /// `text` on standard output, or written to `file` (`drainsim import`, `generate`).
    static func emit(_ text: String, to file: String?, command: String, out: inout String, err: inout String) -> ExitCode {
        guard let file else {
            out += text
            return .ok
        }
        do { try write(text, to: file) } catch {
            err += "drainsim \(command): cannot write \(file): \(error.localizedDescription)\n"
            return .badInput
        }
        out += "wrote \(file)\n"
        return .ok
    }

    /// A file's text, or the message naming why it cannot be read (missing, not UTF-8, with the position).
    static func readText(_ path: String, display: String? = nil) -> Result<String, ScenarioErrorText> {
        let name = display ?? path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(ScenarioErrorText(text: "\(name): no such file"))
        }
        if isDirectory.boolValue {
            return .failure(ScenarioErrorText(text: "\(name): is a directory; give a scenario file (e.g. \(name)/NAME.yaml)"))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ScenarioErrorText(text: "\(name): cannot read the file (permission denied?)"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(ScenarioErrorText(text: "\(name):\(notUTF8(data)): the file is not UTF-8 text"))
        }
        return .success(text)
    }

    /// Makes `dir` (and its missing parents) for output, or says why it cannot: a file in the way,
    /// or a directory that is not writable.
    static func makeOutputDirectory(_ dir: String) -> String? {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: dir, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { return "is a file, not a directory" }
            return fm.isWritableFile(atPath: dir) ? nil : "the directory is not writable"
        }
        // The nearest part of the path that exists must be a writable directory.
        // (Named as the user wrote it: `report.txt`, not an absolute path.)
        var parent = (dir as NSString).deletingLastPathComponent
        while !parent.isEmpty && parent != "/" && !fm.fileExists(atPath: parent, isDirectory: &isDirectory) {
            parent = (parent as NSString).deletingLastPathComponent
        }
        if parent.isEmpty { parent = "." }
        if !fm.fileExists(atPath: parent, isDirectory: &isDirectory) || !isDirectory.boolValue {
            return "\(parent) is a file, not a directory"
        }
        guard fm.isWritableFile(atPath: parent) else { return "cannot create it: \(parent) is not writable" }
        do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            return "cannot create it in \(parent) (\(error.localizedDescription))"
        }
        return nil
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func validate(_ args: [String], out: inout String, err: inout String) -> ExitCode {
        let o: Options
        switch options("validate", args, allowed: [], help: validateHelp, out: &out, err: &err) {
        case .success(let parsed): o = parsed
        case .failure(let code): return code
        }
        guard !o.files.isEmpty else {
            err += "drainsim validate: give one or more scenario files\n\n" + validateHelp + "\n"
            return .badInput
        }
        var status = ExitCode.ok
        for file in o.files {
            switch load(file) {
            case .success(let loaded):
                // The scenario's own sweep settings must load too, as `drainsim sweep` will load them.
                do {
                    if !loaded.scenario.sweepSettings.isEmpty {
                        _ = try SweepData.load(text: loaded.text, file: file, sets: loaded.scenario.sweepSettings)
                    }
                    out += "\(file): ok\n"
                } catch {
                    err += error.description + "\n"
                    status = .badInput
                }
            case .failure(let e):
                err += e.text + "\n"
                status = .badInput
            }
        }
        return status
    }

    static func check(_ args: [String], out: inout String, err: inout String) -> ExitCode {
        let o: Options
        switch options("check", args, allowed: ["--record", "--junit", "--results"], help: checkHelp, out: &out, err: &err) {
        case .success(let parsed): o = parsed
        case .failure(let code): return code
        }
        let files = o.files.isEmpty ? Check.scenarioFiles(in: "scenarios") : o.files
        if files.isEmpty {
            err += "drainsim check: no scenario files (give some, or run where scenarios/ is)\n"
            return .badInput
        }
        let check: Check
        do { check = try Check(files: files, results: o.results, record: o.record) } catch {
            err += "drainsim check: cannot write results: \(error.localizedDescription)\n"
            return .badInput
        }
        out += check.text()
        if let path = o.junit {
            do { try write(check.junit(), to: path) } catch {
                err += "drainsim check: cannot write \(path): \(error.localizedDescription)\n"
                return .badInput
            }
        }
        if check.errors > 0 { return .badInput }
        return check.regressions > 0 ? .expectationsFailed : .ok
    }

    static func sweep(_ args: [String], out: inout String, err: inout String) -> ExitCode {
        let o: Options
        switch options(
            "sweep", args, allowed: ["--runs", "--set", "--seed", "--jobs", "--shard", "--json", "--csv"], help: sweepHelp, out: &out,
            err: &err)
        {
        case .success(let parsed): o = parsed
        case .failure(let code): return code
        }
        guard o.files.count == 1, let file = o.files.first else {
            err += "drainsim sweep: give exactly one scenario file\n\n" + sweepHelp + "\n"
            return .badInput
        }
        let text: String, base: Scenario
        switch load(file) {
        case .success(let loaded): (text, base) = (loaded.text, loaded.scenario)
        case .failure(let e):
            err += e.text + "\n"
            return .badInput
        }
        var sets = base.sweepSettings
        for s in o.sets {
            guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
                err += "drainsim sweep: --set needs PATH=V1,V2 (got \"\(s)\")\n"
                return .badInput
            }
            let values = s[s.index(after: eq)...].split(separator: ",").map(String.init)
            if values.isEmpty {
                err += "drainsim sweep: --set \(s) gives no values; write PATH=V1,V2\n"
                return .badInput
            }
            sets.append((String(s[..<eq]), values))
        }
        var shard: (index: Int, count: Int)?
        if let sh = o.shard {
            let parts = sh.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
            let env = ProcessInfo.processInfo.environment["JOB_COMPLETION_INDEX"].flatMap { Int($0) }
            switch (parts.count, parts.first ?? nil, parts.last ?? nil, env) {
            case (2, let i?, let n?, _) where n > 0 && i >= 0 && i < n: shard = (i, n)  // explicit: the flag wins
            case (1, _, let n?, let i?) where n > 0 && i >= 0 && i < n: shard = (i, n)
            default:
                err += "drainsim sweep: --shard needs I/N with 0 <= I < N, or N with JOB_COMPLETION_INDEX set\n"
                return .badInput
            }
            if let s = shard, s.index >= s.count {
                err += "drainsim sweep: JOB_COMPLETION_INDEX \(s.index) is not below the shard count \(s.count)\n"
                return .badInput
            }
        }
        let interactive = isatty(STDERR_FILENO) == 1
        let clock = ContinuousClock()
        let started = clock.now
        let progress: ((Int, Int) -> Void)? =
            interactive
            ? { done, total in
                let d = clock.now - started
                let elapsed = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
                let rate = Double(done) / max(elapsed, 0.001)
                let left = rate > 0 ? Int(Double(total - done) / rate) : 0
                FileHandle.standardError.write(Data("\r  \(done)/\(total) runs, \(Int(rate)) runs/s, about \(left) s left   ".utf8))
            } : nil
        let data: SweepData
        do {
            data = try SweepData.run(
                text: text, file: file, base: base, sets: sets, runs: o.runs, seed: o.seed, shard: shard,
                jobs: o.jobs ?? ProcessInfo.processInfo.activeProcessorCount, progress: progress)
        } catch {
            err += "drainsim sweep: \(error.description)\n"
            return .badInput
        }
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        return emit(data, o, out: &out, err: &err, command: "sweep")
    }

    static func merge(_ args: [String], out: inout String, err: inout String) -> ExitCode {
        let o: Options
        switch options("merge", args, allowed: ["--json", "--csv"], help: mergeHelp, out: &out, err: &err) {
        case .success(let parsed): o = parsed
        case .failure(let code): return code
        }
        do {
            let parts = try o.files.map { f in
                guard let d = FileManager.default.contents(atPath: f), let t = String(data: d, encoding: .utf8) else {
                    throw SweepReport.MergeError(message: "\(f): cannot read the file")
                }
                return try SweepReport.read(t, file: f)
            }
            return emit(try SweepReport.merge(parts), o, out: &out, err: &err, command: "merge")
        } catch let e as SweepReport.MergeError {
            err += "drainsim merge: \(e.message)\n"
            return .badInput
        } catch {
            err += "drainsim merge: \(error)\n"
            return .badInput
        }
    }

    static func emit(_ data: SweepData, _ o: Options, out: inout String, err: inout String, command: String) -> ExitCode {
        if let path = o.csv {
            do { try write(SweepReport.csv(data), to: path) } catch {
                err += "drainsim \(command): cannot write \(path): \(error.localizedDescription)\n"
                return .badInput
            }
        }
        out += o.json ? SweepReport.json(data) : SweepReport.text(data)
        return .ok
    }

    static func capacity(_ args: [String], out: inout String, err: inout String) -> ExitCode {
        let o: Options, scenario: Scenario
        switch prepare(
            "capacity", args, allowed: ["--nodes", "-l", "--selector", "--each", "--json"], help: capacityHelp, out: &out, err: &err)
        {
        case .success(let prepared): (o, scenario) = prepared
        case .failure(let code): return code
        }
        let all = scenario.state.nodes
        var nodes: [NodeID] = []
        for name in o.nodes {
            guard let i = all.firstIndex(where: { $0.name == name }) else {
                err += "drainsim capacity: no node named \"\(name)\" in \(scenario.file)\n"
                return .badInput
            }
            nodes.append(NodeID(i))
        }
        if let text = o.selector {
            let selector: LabelSelector
            do { selector = try LabelSelector(text) } catch {
                err += "drainsim capacity: -l \(text): \(error.message)\n"
                return .badInput
            }
            let matched = all.indices.filter { selector.matches(PlacementTables.labels(of: all[$0])) }.map { NodeID($0) }
            if matched.isEmpty {
                err += "drainsim capacity: no node in \(scenario.file) matches -l \(text)\n"
                return .badInput
            }
            nodes += matched.filter { !nodes.contains($0) }
        }
        if o.each {
            let candidates = nodes.isEmpty ? all.indices.filter { all[$0].role == .worker }.map { NodeID($0) } : nodes
            let check = EachNodeCapacityCheck(scenario: scenario, candidates: candidates)
            out += o.json ? check.json() : check.text()
            return check.allEvacuable ? .ok : .expectationsFailed
        }
        if nodes.isEmpty {
            err += "drainsim capacity: give the nodes to empty with --nodes A,B or -l KEY=VALUE, or --each\n\n" + capacityHelp + "\n"
            return .badInput
        }
        let check = CapacityCheck(scenario: scenario, draining: nodes)
        out += o.json ? check.json() : check.text()
        return check.stranded.isEmpty ? .ok : .expectationsFailed
    }

    static func bench(_ args: [String], out: inout String, err: inout String) -> ExitCode {
        let o: Options, scenario: Scenario
        switch prepare("bench", args, allowed: ["--repeat", "--seed"], help: benchHelp, out: &out, err: &err) {
        case .success(let prepared): (o, scenario) = prepared
        case .failure(let code): return code
        }
        let clock = ContinuousClock()
        var best: Double = .infinity
        var events = 0
        for k in 1...o.repeatCount {
            let start = clock.now
            var sim = Simulation(scenario: scenario, options: SimulationOptions(seed: o.seed, trace: false))
            let record = sim.run()
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            events = record.eventsProcessed
            best = min(best, seconds)
            out += "run \(k): \(events) events in \(format(seconds)) s, \(Int(Double(events) / seconds)) events/s\n"
        }
        out += "best: \(format(best)) s wall, \(Int(Double(events) / best)) events/s "
        out += "(\(scenario.state.nodes.count) nodes, \(scenario.state.vms.count) VMs)\n"
        return .ok
    }

    static func format(_ s: Double) -> String {
        let ms = Int((s * 1000).rounded())
        return "\(ms / 1000).\(String(repeating: "0", count: 3 - String(ms % 1000).count))\(ms % 1000)"
    }
}

/// A file written in pieces as they are made; the first write error is kept and thrown by `close`.
final class OutputFile {
    private let handle: FileHandle
    private var failure: (any Error)?

    init(_ path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    func write(_ bytes: [UInt8]) {
        guard failure == nil else { return }
        do { try handle.write(contentsOf: bytes) } catch { failure = error }
    }

    func close() throws {
        try? handle.close()
        if let failure { throw failure }
    }

    deinit { try? handle.close() }
}
