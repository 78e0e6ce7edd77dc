/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and identical on every platform.
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// An independent stream derived from the run's seed and a stream name, so adding a random
    /// draw in one place never shifts the draws of another.
    public init(seed: UInt64, stream: String) {
        var mixer = SplitMix64(seed: seed ^ FNV1a.hash64(stream.utf8))
        state = mixer.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Uniform in 0...bound (inclusive), by the multiply-high method.
    public mutating func next(upToInclusive bound: UInt64) -> UInt64 {
        if bound == UInt64.max { return next() }
        return next().multipliedFullWidth(by: bound + 1).high
    }
}
