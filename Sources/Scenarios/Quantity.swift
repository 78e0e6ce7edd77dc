/// Kubernetes quantities, durations and rates as exact integers.
enum Quantity {
    /// A decimal number with an optional suffix, as an exact fraction `mantissa / 10^scale`.
    private static func number(_ s: Substring) -> (mantissa: Int64, scale: Int)? {
        var mantissa: Int64 = 0
        var scale = 0
        var seenDot = false, digits = 0
        for c in s.utf8 {
            if c == 46 {
                if seenDot { return nil }
                seenDot = true
                continue
            }
            guard c >= 48 && c <= 57 else { return nil }
            let (m1, o1) = mantissa.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(Int64(c - 48))
            if o1 || o2 || scale > 9 { return nil }
            mantissa = m2
            digits += 1
            if seenDot { scale += 1 }
        }
        return digits > 0 ? (mantissa, scale) : nil
    }

    private static func split(_ s: String) -> (Substring, Substring) {
        let i = s.firstIndex { !($0.isNumber || $0 == ".") } ?? s.endIndex
        return (s[..<i], s[i...])
    }

    /// `value × multiplier`, rounded up to a whole unit (Kubernetes rounds requests up).
    private static func scaled(_ n: (mantissa: Int64, scale: Int), by multiplier: Int64) -> Int64? {
        var divisor: Int64 = 1
        for _ in 0..<n.scale { divisor *= 10 }
        let (p, o) = n.mantissa.multipliedReportingOverflow(by: multiplier)
        if o { return nil }
        return p / divisor + (p % divisor == 0 ? 0 : 1)
    }

    private static let binary: [(String, Int64)] = [
        ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40), ("Pi", 1 << 50),
    ]
    private static let decimal: [(String, Int64)] = [
        ("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000), ("P", 1_000_000_000_000_000),
    ]

    /// Memory and storage: `256Gi`, `500M`, `1073741824` → bytes.
    static func bytes(_ s: String) -> Int64? {
        let (num, suffix) = split(s)
        guard let n = number(num) else { return nil }
        if suffix.isEmpty { return scaled(n, by: 1) }
        for (u, m) in binary + decimal where suffix == u { return scaled(n, by: m) }
        return nil
    }

    /// CPU: `64`, `1.5`, `500m` → millicores.
    static func cpuMillis(_ s: String) -> Int64? {
        let (num, suffix) = split(s)
        guard let n = number(num) else { return nil }
        switch suffix {
        case "": return scaled(n, by: 1000)
        case "m": return scaled(n, by: 1)
        default: return nil
        }
    }

    /// Link speed or transfer rate: `10Gbps`, `100Mbps` (bits), `64Mi`, `64MiB/s`, `1GB/s` (bytes) → bytes/s.
    static func bytesPerSecond(_ s: String) -> Int64? {
        let (num, suffix) = split(s)
        guard let n = number(num) else { return nil }
        let bits: [(String, Int64)] = [
            ("bps", 1), ("Kbps", 1_000), ("Mbps", 1_000_000), ("Gbps", 1_000_000_000), ("Tbps", 1_000_000_000_000),
        ]
        for (u, m) in bits where suffix == u { return scaled(n, by: m).map { $0 / 8 } }
        var unit = String(suffix)
        if unit.hasSuffix("/s") { unit.removeLast(2) }
        if unit.hasSuffix("B") { unit.removeLast() }
        if unit.isEmpty { return scaled(n, by: 1) }
        for (u, m) in binary + decimal where unit == u { return scaled(n, by: m) }
        return nil
    }

    /// Durations as Go writes them: `300ms`, `90s`, `5m`, `1h30m`, `2d` → milliseconds.
    static func milliseconds(_ s: String) -> Int64? {
        var rest = Substring(s)
        var total: Int64 = 0
        if rest.isEmpty { return nil }
        while !rest.isEmpty {
            let (num, after) = split(String(rest))
            guard let n = number(num) else { return nil }
            let unitEnd = after.firstIndex { $0.isNumber } ?? after.endIndex
            let unit = after[..<unitEnd]
            let m: Int64
            switch unit {
            case "ms": m = 1
            case "s": m = 1000
            case "m": m = 60_000
            case "h": m = 3_600_000
            case "d": m = 86_400_000
            default: return nil
            }
            guard let v = scaled(n, by: m) else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(v)
            if overflow { return nil }
            total = sum
            rest = after[unitEnd...]
        }
        return total
    }
}
