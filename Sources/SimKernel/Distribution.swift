/// A named distribution of durations (time between failures, time to repair), sampled from a
/// SplitMix64 stream. Parameters are in milliseconds.
public enum Distribution: Equatable, Sendable, Codable {
    case constant(SimDuration)
    case exponential(mean: SimDuration)
    case weibull(shape: Double, scale: SimDuration)
    /// exp(N(ln median, sigma²)).
    case logNormal(median: SimDuration, sigma: Double)

    public func sample(_ rng: inout SplitMix64) -> SimDuration {
        let ms: Double
        switch self {
        case .constant(let d): return d
        case .exponential(let mean):
            ms = -Double(mean.milliseconds) * PortableMath.ln(Distribution.unitOpenZero(&rng))
        case .weibull(let shape, let scale):
            let e = -PortableMath.ln(Distribution.unitOpenZero(&rng))
            ms = Double(scale.milliseconds) * PortableMath.exp(PortableMath.ln(e) / shape)
        case .logNormal(let median, let sigma):
            ms = Double(median.milliseconds) * PortableMath.exp(sigma * Distribution.standardNormal(&rng))
        }
        // Whole milliseconds, at least one, and never beyond a century.
        return SimDuration(milliseconds: Int64(min(max(ms, 1), 3.15e12).rounded()))
    }

    /// Uniform in (0, 1]: never 0, so its logarithm is finite.
    static func unitOpenZero(_ rng: inout SplitMix64) -> Double {
        Double((rng.next() >> 11) + 1) * 0x1.0p-53
    }

    /// Marsaglia's polar method: no trigonometry, only ln and sqrt.
    static func standardNormal(_ rng: inout SplitMix64) -> Double {
        while true {
            let u = 2 * unitOpenZero(&rng) - 1
            let v = 2 * unitOpenZero(&rng) - 1
            let s = u * u + v * v
            if s > 0 && s < 1 { return u * PortableMath.sqrt(-2 * PortableMath.ln(s) / s) }
        }
    }

    public var description: String {
        switch self {
        case .constant(let d): return "constant \(d)"
        case .exponential(let mean): return "exponential, mean \(mean)"
        case .weibull(let shape, let scale): return "Weibull, shape \(shape), scale \(scale)"
        case .logNormal(let median, let sigma): return "log-normal, median \(median), sigma \(sigma)"
        }
    }
}
