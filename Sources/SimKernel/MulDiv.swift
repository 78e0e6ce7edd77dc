extension Int64 {
    /// ⌊a × b / c⌋ (or ⌈…⌉) for a, b ≥ 0 and c > 0, computed in 128 bits, saturating at Int64.max:
    /// rates times durations (bytes sent, bytes dirtied, send times) never overflow, whatever the inputs.
    @inlinable
    public static func mulDiv(_ a: Int64, _ b: Int64, _ c: Int64, roundingUp: Bool = false) -> Int64 {
        precondition(a >= 0 && b >= 0 && c > 0, "mulDiv takes non-negative factors and a positive divisor")
        var wide = UInt64(a).multipliedFullWidth(by: UInt64(b))
        if roundingUp {
            let (low, carry) = wide.low.addingReportingOverflow(UInt64(c) - 1)
            wide = (carry ? wide.high + 1 : wide.high, low)
        }
        if wide.high >= UInt64(c) { return Int64.max }
        let q = UInt64(c).dividingFullWidth(wide).quotient
        return q > UInt64(Int64.max) ? Int64.max : Int64(q)
    }
}
