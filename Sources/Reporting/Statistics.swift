import SimKernel

/// The summary statistics of a sweep: percentiles by nearest rank on the sorted values, and the 95 %
/// interval of a mean by Student's t (exact quantiles up to 30 degrees of freedom, 1.96 beyond).
public enum Statistics {
    public struct Summary: Equatable, Sendable {
        public var count: Int
        public var mean: Double
        public var p50: Int64
        public var p95: Int64
        public var p99: Int64
        public var max: Int64
        /// 95 % interval of the mean.
        public var low: Double
        public var high: Double
    }

    /// Nearest rank: the smallest value with at least p % of the values at or below it.
    public static func percentile(_ sorted: [Int64], _ p: Int) -> Int64 {
        guard !sorted.isEmpty else { return 0 }
        let rank = (p * sorted.count + 99) / 100
        return sorted[max(0, min(sorted.count, rank) - 1)]
    }

    public static func summary(_ values: [Int64]) -> Summary? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let (mean, half) = meanInterval(values.map(Double.init))
        return Summary(
            count: values.count, mean: mean, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99),
            max: sorted[sorted.count - 1], low: mean - half, high: mean + half)
    }

    /// The mean and the half-width of its 95 % interval.
    public static func meanInterval(_ xs: [Double]) -> (mean: Double, half: Double) {
        let n = Double(xs.count)
        guard xs.count > 0 else { return (0, 0) }
        var sum = 0.0
        for x in xs { sum += x }
        let mean = sum / n
        guard xs.count > 1 else { return (mean, 0) }
        var squares = 0.0
        for x in xs { squares += (x - mean) * (x - mean) }
        let sd = PortableMath.sqrt(squares / (n - 1))
        return (mean, tQuantile975(df: xs.count - 1) * sd / PortableMath.sqrt(n))
    }

    /// Student's t, two-sided 95 % (the 0.975 quantile).
    public static func tQuantile975(df: Int) -> Double {
        let table: [Double] = [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110,
            2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
        ]
        return df >= 1 && df <= table.count ? table[df - 1] : 1.96
    }

    /// Paired differences b − a over the runs both have (common random numbers: run k of each setting
    /// saw the same seed): mean and 95 % interval, in the metric's unit.
    public static func paired(_ a: [Int64?], _ b: [Int64?]) -> (count: Int, mean: Double, low: Double, high: Double)? {
        var diffs: [Double] = []
        for (x, y) in zip(a, b) {
            if let x, let y { diffs.append(Double(y - x)) }
        }
        guard !diffs.isEmpty else { return nil }
        let (mean, half) = meanInterval(diffs)
        return (diffs.count, mean, mean - half, mean + half)
    }

    /// A number with one decimal, rounded half away from zero, the same text on every machine.
    public static func fixed1(_ x: Double) -> String {
        let tenths = Int64((x * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let a = abs(tenths)
        return "\(sign)\(a / 10).\(a % 10)"
    }
}
