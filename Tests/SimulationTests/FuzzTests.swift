import Foundation
import SimKernel
import Testing

/// drainsim fuzzes itself (issue 8): a seeded mutator derives mutants from the shipped scenarios —
/// lines deleted, duplicated, swapped, re-indented, characters flipped, scalars replaced by extreme
/// numbers, wrong types and huge quantities, files truncated — and the built binary runs each as its
/// own process with a time limit. Any signal, an exit code outside 0/1/2, a timeout, or an exit 2
/// without FILE:LINE:COLUMN fails the test, naming the mutant; the mutant is kept in the temporary
/// directory to replay with `drainsim run MUTANT` (add --check-invariants), and `Mutator(seed:)`
/// rebuilds it from its number. (Invariants after every event are PropertyTests' job: checked on a
/// week of retries they cost minutes in a debug build.)
@Suite struct FuzzTests {
    static let chunks = 8
    static let perChunk = 130  // 1,040 mutants
    static let timeLimitSeconds = 30.0

    static let sources: [(name: String, text: String)] = GoldenTests.scenarios.filter { !$0.hasPrefix("large") }.compactMap { name in
        (try? String(contentsOfFile: packageRoot.appendingPathComponent("scenarios/\(name)").path, encoding: .utf8)).map { (name, $0) }
    }

    @Test(arguments: 0..<FuzzTests.chunks)
    func mutantsNeverCrashHangOrFailWithoutAPosition(_ chunk: Int) throws {
        let bin = try #require(DeterminismTests.binary(), "build the drainsim binary first (swift build)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drainsim-fuzz-\(getpid())-\(chunk)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var failures = 0
        for k in chunk * FuzzTests.perChunk..<(chunk + 1) * FuzzTests.perChunk {
            var mutator = Mutator(seed: UInt64(k))
            let source = FuzzTests.sources[k % FuzzTests.sources.count]
            let mutant = mutator.mutate(source.text)
            let path = dir.appendingPathComponent("mutant-\(k)-\(source.name)").path
            try Data(mutant.utf8).write(to: URL(fileURLWithPath: path))
            let outcome = try FuzzTests.runBinary(bin, ["run", path], stderrTo: path + ".err")
            let err = (try? String(contentsOfFile: path + ".err", encoding: .utf8)) ?? ""
            if let problem = FuzzTests.problem(outcome, err, allowed: [0, 1, 2]) {
                failures += 1
                Issue.record("mutant \(k) of \(source.name) (\(path)): \(problem)\n\(err.prefix(600))")
                if failures >= 5 { return }
            } else {
                try? FileManager.default.removeItem(atPath: path)
                try? FileManager.default.removeItem(atPath: path + ".err")
            }
        }
    }

    /// `drainsim import` on mutants of the import fixtures (each with the unmutated nodes beside it):
    /// the same rule, exit 0 or 2 with a position, never a crash or a hang.
    @Test func importMutantsNeverCrashHangOrFailWithoutAPosition() throws {
        let bin = try #require(DeterminismTests.binary(), "build the drainsim binary first (swift build)")
        let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures/import")
        let names = ["vms.yaml", "workloads.yaml", "cluster-config.json", "storage.yaml", "kubevirt-cr-and-devices.yaml", "nodes.yaml"]
        let sources = try names.map { ($0, try String(contentsOf: fixtures.appendingPathComponent($0), encoding: .utf8)) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drainsim-fuzz-import-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var failures = 0
        for k in 0..<240 {
            var mutator = Mutator(seed: UInt64(100_000 + k))
            let source = sources[k % sources.count]
            let path = dir.appendingPathComponent("mutant-\(k)-\(source.0)").path
            try Data(mutator.mutate(source.1).utf8).write(to: URL(fileURLWithPath: path))
            let others = source.0 == "nodes.yaml" ? [] : [fixtures.appendingPathComponent("nodes.yaml").path]
            let outcome = try FuzzTests.runBinary(bin, ["import", path] + others, stderrTo: path + ".err")
            let err = (try? String(contentsOfFile: path + ".err", encoding: .utf8)) ?? ""
            if let problem = FuzzTests.problem(outcome, err, allowed: [0, 2]) {
                failures += 1
                Issue.record("import mutant \(k) of \(source.0) (\(path)): \(problem)\n\(err.prefix(600))")
                if failures >= 5 { return }
            } else {
                try? FileManager.default.removeItem(atPath: path)
                try? FileManager.default.removeItem(atPath: path + ".err")
            }
        }
    }

    /// What is wrong with a mutant's outcome: a hang, a signal, an exit code outside `allowed`, or
    /// an exit 2 (bad input) whose message names no FILE:LINE:COLUMN (a sweep setting names its path).
    static func problem(_ outcome: Outcome, _ err: String, allowed: Set<Int32>) -> String? {
        switch outcome {
        case .timedOut: return "no answer within \(timeLimitSeconds) s"
        case .signal(let s): return "killed by signal \(s)"
        case .exit(let code) where !allowed.contains(code): return "exit \(code)"
        case .exit(2) where err.range(of: #":\d+:\d+: "#, options: .regularExpression) == nil && !err.contains(" with --set "):
            return "exit 2 without FILE:LINE:COLUMN"
        case .exit: return nil
        }
    }

    enum Outcome: Equatable {
        case exit(Int32)
        case signal(Int32)
        case timedOut
    }

    static func runBinary(_ bin: String, _ args: [String], stderrTo errPath: String) throws -> Outcome {
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer { try? errHandle.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = errHandle
        try p.run()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(timeLimitSeconds)
        while p.isRunning {
            if clock.now > deadline {
                p.terminate()
                p.waitUntilExit()
                return .timedOut
            }
            usleep(2_000)
        }
        return p.terminationReason == .uncaughtSignal ? .signal(p.terminationStatus) : .exit(p.terminationStatus)
    }
}

/// Seeded mutations of a scenario's text; mutant k is `Mutator(seed: k).mutate(source k mod sources)`.
struct Mutator {
    var random: SplitMix64
    init(seed: UInt64) { random = SplitMix64(seed: seed, stream: "fuzz") }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(random.next(upToInclusive: UInt64(n - 1))) }

    static let extremes = [
        "9223372036854775807", "-9223372036854775808", "-1", "0", "1e308", "99999999999999999999", "106751991167d", "1Pi",
        "9223372036854775807Gi", "0.0000001", "1000000", "3650d", "1ms", "100Tbps", "[]", "{}", "\"\"", "null", "~", "{i}",
        "[[[[[[[[", "true", "NaN", "-0",
    ]

    mutating func mutate(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0..<1 + below(3) {
            guard !lines.isEmpty else { break }
            let i = below(lines.count)
            switch below(9) {
            case 0: lines.remove(at: i)
            case 1: lines.insert(lines[i], at: i)
            case 2: lines.swapAt(i, below(lines.count))
            case 3:
                lines[i] =
                    (below(2) == 0 ? "  " : "") + (lines[i].hasPrefix("  ") && below(2) == 0 ? String(lines[i].dropFirst(2)) : lines[i])
            case 4:
                var bytes = Array(lines[i].utf8)
                if !bytes.isEmpty { bytes[below(bytes.count)] = UInt8(32 + below(95)) }
                lines[i] = String(decoding: bytes, as: UTF8.self)
            case 5, 6, 7: lines[i] = replaceScalar(lines[i])
            default:
                let all = lines.joined(separator: "\n")
                return String(all.prefix(below(all.count)))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Replaces the value after one `key: ` on the line with an extreme or wrong-typed one.
    mutating func replaceScalar(_ line: String) -> String {
        let parts = line.components(separatedBy: ": ")
        guard parts.count > 1 else { return line }
        var out = parts
        let k = 1 + below(parts.count - 1)
        let tail = out[k]
        let end = tail.firstIndex { $0 == "," || $0 == "}" || $0 == "]" } ?? tail.endIndex
        out[k] = Mutator.extremes[below(Mutator.extremes.count)] + tail[end...]
        return out.joined(separator: ": ")
    }
}
