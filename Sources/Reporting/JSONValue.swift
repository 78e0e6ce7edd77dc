/// A JSON value whose objects keep their keys in the order written, so output is byte-stable.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    /// A number already written out (a mean with one decimal), emitted as is.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// An array whose items are made one at a time while it is written (the report's per-VM list),
    /// so the whole document never sits in memory.
    case items(Int, @Sendable (Int) -> JSONValue)
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.render() == b.render() }

    public static func int(_ v: Int) -> JSONValue { .int(Int64(v)) }
    public static func optional(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
    public static func optional(_ v: Int64?) -> JSONValue { v.map(JSONValue.int) ?? .null }

    /// Pretty-printed with two-space indentation and a final newline.
    public func render() -> String { OutputChunks.gathered(write(chunk:)) }

    /// The same text as `render`, handed over in pieces (to a file, say).
    public func write(chunk: ([UInt8]) -> Void) {
        var out = OutputChunks()
        write(&out, indent: 0, chunk: chunk)
        out.bytes.append(10)
        out.finish(chunk)
    }

    /// Written as UTF-8 bytes: the text is built once, not grown a character at a time.
    private func write(_ out: inout OutputChunks, indent: Int, chunk: ([UInt8]) -> Void) {
        out.flushIfFull(chunk)
        switch self {
        case .null: out.bytes += "null".utf8
        case .bool(let b): out.bytes += (b ? "true" : "false").utf8
        case .int(let i): out.bytes += String(i).utf8
        case .number(let n): out.bytes += n.utf8
        case .string(let s): JSONValue.quote(s, into: &out.bytes)
        case .array(let items): Self.writeArray(items.count, { items[$0] }, &out, indent: indent, chunk: chunk)
        case .items(let count, let item): Self.writeArray(count, item, &out, indent: indent, chunk: chunk)
        case .object(let fields):
            if fields.isEmpty {
                out.bytes += "{}".utf8
                return
            }
            out.bytes += "{\n".utf8
            for (k, (key, value)) in fields.enumerated() {
                out.bytes += repeatElement(32, count: indent + 2)
                JSONValue.quote(key, into: &out.bytes)
                out.bytes += ": ".utf8
                value.write(&out, indent: indent + 2, chunk: chunk)
                out.bytes += (k == fields.count - 1 ? "\n" : ",\n").utf8
            }
            out.bytes += repeatElement(32, count: indent)
            out.bytes.append(125)
        }
    }

    private static func writeArray(
        _ count: Int, _ item: (Int) -> JSONValue, _ out: inout OutputChunks, indent: Int, chunk: ([UInt8]) -> Void
    ) {
        if count == 0 {
            out.bytes += "[]".utf8
            return
        }
        out.bytes += "[\n".utf8
        for k in 0..<count {
            out.bytes += repeatElement(32, count: indent + 2)
            item(k).write(&out, indent: indent + 2, chunk: chunk)
            out.bytes += (k == count - 1 ? "\n" : ",\n").utf8
        }
        out.bytes += repeatElement(32, count: indent)
        out.bytes.append(93)
    }

    private static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(34)
        for b in s.utf8 {
            switch b {
            case 34: out += "\\\"".utf8
            case 92: out += "\\\\".utf8
            case 10: out += "\\n".utf8
            case 9: out += "\\t".utf8
            case 13: out += "\\r".utf8
            case 0..<0x20:
                let hex = String(b, radix: 16)
                out += ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8
            default: out.append(b)
            }
        }
        out.append(34)
    }
}
