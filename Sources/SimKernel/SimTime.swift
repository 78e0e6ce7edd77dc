/// An instant of simulated time, in whole milliseconds since the scenario started.
///
/// Integer time keeps runs byte-identical across machines: no floating-point drift, no clocks.
public struct SimTime: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var milliseconds: Int64

    @inlinable
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static let zero = SimTime(milliseconds: 0)

    @inlinable
    public static func < (a: SimTime, b: SimTime) -> Bool { a.milliseconds < b.milliseconds }
    @inlinable
    public static func + (t: SimTime, d: SimDuration) -> SimTime { SimTime(milliseconds: t.milliseconds + d.milliseconds) }
    @inlinable
    public static func - (a: SimTime, b: SimTime) -> SimDuration { SimDuration(milliseconds: a.milliseconds - b.milliseconds) }

    /// `hh:mm:ss.mmm` from the start of the run (hours grow past 24).
    public var description: String {
        let ms = milliseconds
        let sign = ms < 0 ? "-" : ""
        let a = ms < 0 ? -ms : ms
        let h = a / 3_600_000, m = (a / 60_000) % 60, s = (a / 1000) % 60, f = a % 1000
        return sign + pad(h, 2) + ":" + pad(m, 2) + ":" + pad(s, 2) + "." + pad(f, 3)
    }
}

/// A span of simulated time in milliseconds.
public struct SimDuration: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var milliseconds: Int64

    @inlinable
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    @inlinable
    public static func seconds(_ s: Int64) -> SimDuration { SimDuration(milliseconds: s * 1000) }
    @inlinable
    public static func minutes(_ m: Int64) -> SimDuration { SimDuration(milliseconds: m * 60_000) }

    public static let zero = SimDuration(milliseconds: 0)

    @inlinable
    public static func < (a: SimDuration, b: SimDuration) -> Bool { a.milliseconds < b.milliseconds }
    @inlinable
    public static func + (a: SimDuration, b: SimDuration) -> SimDuration { SimDuration(milliseconds: a.milliseconds + b.milliseconds) }
    @inlinable
    public static func * (a: SimDuration, k: Int64) -> SimDuration { SimDuration(milliseconds: a.milliseconds * k) }

    /// The one form every duration is written in: whole seconds, rounded up so a figure never
    /// understates (`45s`, `2m00s`, `1h02m03s`); under a second, where milliseconds matter (a
    /// migration's pause), milliseconds (`74ms`). JSON keeps the exact milliseconds.
    public var description: String {
        let ms = milliseconds
        if ms < 0 { return "-" + SimDuration(milliseconds: -ms).description }
        if ms == 0 { return "0s" }
        if ms < 1000 { return "\(ms)ms" }
        return clock((ms + 999) / 1000)
    }
}

extension SimTime {
    /// Time since the start of the run as reports write it, `+1h02m03s` (whole seconds, rounded
    /// down as a clock shows them; the trace keeps milliseconds).
    public var elapsed: String {
        milliseconds < 0 ? "-" + SimTime(milliseconds: -milliseconds).elapsed : "+" + clock(milliseconds / 1000)
    }
}

/// `45s`, `2m00s`, `1h02m03s`.
func clock(_ seconds: Int64) -> String {
    let h = seconds / 3600, m = (seconds / 60) % 60, s = seconds % 60
    if h > 0 { return "\(h)h" + pad(m, 2) + "m" + pad(s, 2) + "s" }
    if m > 0 { return "\(m)m" + pad(s, 2) + "s" }
    return "\(s)s"
}

func pad(_ v: Int64, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
