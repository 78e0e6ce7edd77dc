import ClusterModel
import SimKernel

/// A value of the scenario with the path that leads to it, for typed reads with exact error messages.
struct Field {
    let node: YAMLNode
    let path: String
    let file: String

    func fail(_ message: String) -> ScenarioError {
        ScenarioError(file: file, line: node.line, column: node.column, field: path, message: message)
    }

    func child(_ key: String, _ node: YAMLNode) -> Field {
        Field(node: node, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

    /// The mapping's fields, refusing keys outside `allowed` (with a "did you mean").
    func mapping(_ allowed: [String]) throws(ScenarioError) -> Mapping {
        guard case .mapping(let entries) = node.kind else { throw fail("expected a mapping, found \(node.kindName)") }
        for e in entries where !allowed.contains(e.key) {
            var message = "unknown field \"\(e.key)\""
            if let guess = closest(e.key, allowed) { message += "; did you mean \"\(guess)\"?" }
            message += "; expected one of " + allowed.joined(separator: ", ")
            throw ScenarioError(
                file: file, line: e.keyLine, column: e.keyColumn, field: path.isEmpty ? e.key : "\(path).\(e.key)",
                message: message)
        }
        return Mapping(owner: self, entries: entries)
    }

    func sequence() throws(ScenarioError) -> [Field] {
        switch node.kind {
        case .sequence(let items):
            return items.enumerated().map { Field(node: $1, path: "\(path)[\($0)]", file: file) }
        case .null: return []
        default: throw fail("expected a sequence, found \(node.kindName)")
        }
    }

    func string() throws(ScenarioError) -> String {
        guard case .scalar(let s, _) = node.kind else { throw fail("expected a string, found \(node.kindName)") }
        return s
    }

    func plain(_ what: String) throws(ScenarioError) -> String {
        guard case .scalar(let s, _) = node.kind else { throw fail("expected \(what), found \(node.kindName)") }
        return s
    }

    func int(min: Int = 0, max: Int = Int.max) throws(ScenarioError) -> Int {
        let s = try plain("an integer")
        guard let v = Int(s) else { throw fail("\"\(s)\" is not an integer") }
        guard v >= min && v <= max else {
            throw fail("\(v) is out of range; expected \(min)" + (max == Int.max ? " or more" : "...\(max)"))
        }
        return v
    }

    func double(min: Double, max: Double) throws(ScenarioError) -> Double {
        let s = try plain("a number")
        guard let v = Double(s), v.isFinite else { throw fail("\"\(s)\" is not a number") }
        guard v >= min && v <= max else { throw fail("\(s) is out of range; expected \(min)...\(max)") }
        return v
    }

    func bool() throws(ScenarioError) -> Bool {
        switch try plain("true or false") {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        case let s: throw fail("\"\(s)\" is not a boolean; expected true or false")
        }
    }

    /// A duration within `min`...`max` (default: up to ten years, Limits.duration).
    func duration(min: SimDuration = .zero, max: SimDuration = Limits.duration) throws(ScenarioError) -> SimDuration {
        let s = try plain("a duration")
        guard let ms = Quantity.milliseconds(s) else {
            throw fail("\"\(s)\" is not a duration; write it like 300ms, 90s, 5m or 1h30m")
        }
        let d = SimDuration(milliseconds: ms)
        guard d >= min && d <= max else { throw fail("\(s) is out of range; expected \(min)...\(max)") }
        return d
    }

    /// Bytes within `min`...`max` (default: up to 1 PiB, Limits.diskBytes).
    func bytes(min: Int64 = 0, max: Int64 = Limits.diskBytes) throws(ScenarioError) -> Int64 {
        let s = try plain("a quantity")
        guard let v = Quantity.bytes(s) else { throw fail("\"\(s)\" is not a quantity of bytes; write it like 16Gi, 512Mi or 100G") }
        guard v >= min && v <= max else {
            throw fail("\(s) is out of range; expected \(ByteFormat.describe(min))...\(ByteFormat.describe(max))")
        }
        return v
    }

    /// A string in which a VM with a `count` refers to its index: `{i}`, or `{i % N}` to spread the
    /// copies over N things (`node: worker-{i % 8}`). Without a count (`index` nil) a placeholder is an error.
    func indexed(_ index: Int?) throws(ScenarioError) -> String {
        let text = try string()
        // Read as bytes: a stamped entry expands this once per copy (200,000 times for a large cluster).
        let bytes = text.utf8
        guard bytes.contains(UInt8(ascii: "{")) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        var k = bytes.startIndex
        while k < bytes.endIndex {
            guard bytes[k] == UInt8(ascii: "{") else {
                out.append(bytes[k])
                k = bytes.index(after: k)
                continue
            }
            guard let close = bytes[k...].firstIndex(of: UInt8(ascii: "}")) else {
                throw fail("\"{\" without a closing \"}\" in \"\(text)\"")
            }
            let inner = String(decoding: bytes[bytes.index(after: k)..<close].filter { $0 != UInt8(ascii: " ") }, as: UTF8.self)
            guard inner.hasPrefix("i") else { throw fail("unknown placeholder {\(inner)}; use {i} or {i % N}") }
            guard let index else { throw fail("\"{\(inner)}\" needs a count on the VM") }
            if inner == "i" {
                out += String(index).utf8
            } else if inner.hasPrefix("i%"), let n = Int(inner.dropFirst(2)), n >= 1 {
                out += String(index % n).utf8
            } else {
                throw fail("unknown placeholder {\(inner)}; use {i} or {i % N} with N ≥ 1")
            }
            k = bytes.index(after: close)
        }
        return String(decoding: out, as: UTF8.self)
    }

    func cpuMillis() throws(ScenarioError) -> Int64 {
        let s = try plain("a CPU quantity")
        guard let v = Quantity.cpuMillis(s), v > 0 else { throw fail("\"\(s)\" is not a CPU quantity; write it like 64, 1.5 or 500m") }
        guard v <= Limits.cpuMillis else { throw fail("\(s) is out of range; expected 1m...\(Limits.cpuMillis / 1000)") }
        return v
    }

    /// A rate up to Limits.bytesPerSecond. A value written above zero that rounds to 0 B/s is refused:
    /// zero means "unlimited" where a cap is meant.
    func bytesPerSecond() throws(ScenarioError) -> Int64 {
        let s = try plain("a rate")
        guard let v = Quantity.bytesPerSecond(s) else {
            throw fail("\"\(s)\" is not a rate; write it like 10Gbps, 64Mi or 100MiB/s")
        }
        if v == 0 && s.utf8.contains(where: { $0 >= 49 && $0 <= 57 }) {
            throw fail("\(s) rounds to 0 bytes per second; give at least 8bps (1 B/s), or 0 for none")
        }
        guard v <= Limits.bytesPerSecond else { throw fail("\(s) is out of range; expected at most 10TB/s") }
        return v
    }

    func oneOf<E: RawRepresentable & CaseIterable>(_: E.Type) throws(ScenarioError) -> E where E.RawValue == String {
        let s = try plain("a value")
        if let v = E(rawValue: s) { return v }
        let names = E.allCases.map(\.rawValue)
        var message = "unknown value \"\(s)\""
        if let guess = closest(s, names) { message += "; did you mean \"\(guess)\"?" }
        throw fail(message + "; expected one of " + names.joined(separator: ", "))
    }
}

/// A mapping's entries, read by key.
struct Mapping {
    let owner: Field
    let entries: [YAMLEntry]

    subscript(_ key: String) -> Field? {
        guard let e = entries.first(where: { $0.key == key }) else { return nil }
        if case .null = e.value.kind { return nil }
        return owner.child(key, e.value)
    }

    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

    func required(_ key: String) throws(ScenarioError) -> Field {
        guard let f = self[key] else { throw owner.fail("missing required field \"\(key)\"") }
        return f
    }

    var keys: [String] { entries.map(\.key) }
}

/// The allowed word nearest to `word`, if it is close enough to be a typo.
func closest(_ word: String, _ candidates: [String]) -> String? {
    let w = Array(word.lowercased())
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(w, Array(c.lowercased()))
        if d <= max(2, w.count / 3), d < (best?.1 ?? Int.max) { best = (c, d) }
    }
    return best?.0
}

private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = prev
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
