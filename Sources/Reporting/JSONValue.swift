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
    public func render() -> String {
        var all: [UInt8] = []
        write { all += $0 }
        return String(decoding: all, as: UTF8.self)
    }

    /// The same text as `render`, handed over in pieces of about a megabyte (to a file, say).
    public func write(chunk: ([UInt8]) -> Void) {
        var out: [UInt8] = []
        out.reserveCapacity(Self.chunkBytes + 4096)
        write(&out, indent: 0, chunk: chunk)
        out.append(10)
        chunk(out)
    }

    static let chunkBytes = 1 << 20

    /// Written as UTF-8 bytes: the text is built once, not grown a character at a time.
    private func write(_ out: inout [UInt8], indent: Int, chunk: ([UInt8]) -> Void) {
        if out.count >= Self.chunkBytes {
            chunk(out)
            out.removeAll(keepingCapacity: true)
        }
        switch self {
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .int(let i): out += String(i).utf8
        case .number(let n): out += n.utf8
        case .string(let s): JSONValue.quote(s, into: &out)
        case .array(let items): Self.writeArray(items.count, { items[$0] }, &out, indent: indent, chunk: chunk)
        case .items(let count, let item): Self.writeArray(count, item, &out, indent: indent, chunk: chunk)
        case .object(let fields):
            if fields.isEmpty {
                out += "{}".utf8
                return
            }
            out += "{\n".utf8
            for (k, (key, value)) in fields.enumerated() {
                out += repeatElement(32, count: indent + 2)
                JSONValue.quote(key, into: &out)
                out += ": ".utf8
                value.write(&out, indent: indent + 2, chunk: chunk)
                out += (k == fields.count - 1 ? "\n" : ",\n").utf8
            }
            out += repeatElement(32, count: indent)
            out.append(125)
        }
    }

    private static func writeArray(
        _ count: Int, _ item: (Int) -> JSONValue, _ out: inout [UInt8], indent: Int, chunk: ([UInt8]) -> Void
    ) {
        if count == 0 {
            out += "[]".utf8
            return
        }
        out += "[\n".utf8
        for k in 0..<count {
            out += repeatElement(32, count: indent + 2)
            item(k).write(&out, indent: indent + 2, chunk: chunk)
            out += (k == count - 1 ? "\n" : ",\n").utf8
        }
        out += repeatElement(32, count: indent)
        out.append(93)
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
