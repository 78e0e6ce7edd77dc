/// A JSON value whose objects keep their keys in the order written, so output is byte-stable.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    /// A number already written out (a mean with one decimal), emitted as is.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.render() == b.render() }

    public static func int(_ v: Int) -> JSONValue { .int(Int64(v)) }
    public static func optional(_ v: String?) -> JSONValue { v.map(JSONValue.string) ?? .null }
    public static func optional(_ v: Int64?) -> JSONValue { v.map(JSONValue.int) ?? .null }

    /// Pretty-printed with two-space indentation and a final newline.
    public func render() -> String {
        var out: [UInt8] = []
        write(&out, indent: 0)
        out.append(10)
        return String(decoding: out, as: UTF8.self)
    }

    /// Written as UTF-8 bytes: a string of the report is built once, not grown a character at a time.
    private func write(_ out: inout [UInt8], indent: Int) {
        switch self {
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .int(let i): out += String(i).utf8
        case .number(let n): out += n.utf8
        case .string(let s): JSONValue.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty {
                out += "[]".utf8
                return
            }
            out += "[\n".utf8
            for (k, item) in items.enumerated() {
                out += repeatElement(32, count: indent + 2)
                item.write(&out, indent: indent + 2)
                out += (k == items.count - 1 ? "\n" : ",\n").utf8
            }
            out += repeatElement(32, count: indent)
            out.append(93)
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
                value.write(&out, indent: indent + 2)
                out += (k == fields.count - 1 ? "\n" : ",\n").utf8
            }
            out += repeatElement(32, count: indent)
            out.append(125)
        }
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
