/// Bytes as a person reads them in a message: `16Gi`, `1.5Gi`, `300Mi`.
public enum ByteFormat {
    public static func describe(_ b: Int64) -> String {
        let units: [(String, Int64)] = [("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)]
        for (u, m) in units where b >= m {
            let tenths = (b * 10 + m / 2) / m
            return tenths % 10 == 0 ? "\(tenths / 10)\(u)" : "\(tenths / 10).\(tenths % 10)\(u)"
        }
        return "\(b)"
    }

    /// CPU millicores as cores, the way a node's capacity is written: `6`, `2.5`, `0.125`.
    public static func cores(_ millis: Int64) -> String {
        var fraction = String(millis % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(millis / 1000)" + (fraction.isEmpty ? "" : "." + fraction)
    }
}
