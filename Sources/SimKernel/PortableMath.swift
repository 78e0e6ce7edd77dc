/// ln and exp built only from IEEE-754 addition, multiplication and division (each correctly
/// rounded on every platform), with a fixed number of terms: unlike the C library's, their results
/// are the same bits on every machine, so random draws and their reports stay byte-identical.
public enum PortableMath {
    static let ln2 = 0.693_147_180_559_945_309_417_232_121_458
    // Cody–Waite split of ln 2 (fdlibm): k · ln2Hi is exact for |k| < 2^11, so reducing by it loses nothing.
    static let ln2Hi = 6.931_471_803_691_238_164_90e-01
    static let ln2Lo = 1.908_214_929_270_587_700_02e-10

    /// Natural logarithm of x > 0: x = m · 2^e with m in [1, 2), ln m = 2 atanh((m − 1)/(m + 1)).
    public static func ln(_ x: Double) -> Double {
        precondition(x > 0 && x.isFinite, "ln needs a positive finite number")
        let e = Double(x.exponent)
        let m = x.significand
        let s = (m - 1) / (m + 1)  // in [0, 1/3)
        let s2 = s * s
        var term = s
        var sum = 0.0
        var k = 1.0
        for _ in 0..<40 {
            sum += term / k
            term *= s2
            k += 2
        }
        return e * ln2Hi + (e * ln2Lo + 2 * sum)
    }

    /// e^x: x = k · ln 2 + r with |r| ≤ ln2 / 2, e^r by its Taylor series, then scaled by 2^k exactly.
    /// Below about −708 the result is subnormal and only roughly as accurate.
    public static func exp(_ x: Double) -> Double {
        if x > 709 { return .infinity }
        if x < -745 { return 0 }
        let k = (x / ln2).rounded()
        let r = (x - k * ln2Hi) - k * ln2Lo
        var term = 1.0
        var sum = 1.0
        for n in 1...30 {
            term *= r / Double(n)
            sum += term
        }
        return sum * power2(Int(k))
    }

    /// 2^k, exactly, even for k where a single Double(sign:exponent:significand:) would be subnormal.
    static func power2(_ k: Int) -> Double {
        if k > 1000 { return Double(sign: .plus, exponent: 1000, significand: 1) * power2(k - 1000) }
        if k < -1000 { return Double(sign: .plus, exponent: -1000, significand: 1) * power2(k + 1000) }
        return Double(sign: .plus, exponent: k, significand: 1)
    }

    /// Square root is IEEE correctly rounded, hence portable already.
    public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
}
