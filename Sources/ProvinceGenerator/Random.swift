/// The generator's own pseudo-random numbers: xoshiro256** seeded through
/// SplitMix64. Platform-independent, so a seed gives the same stream (and the
/// same NDJSON bytes) on every machine and Swift version.
struct Xoshiro256 {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Expands `seed` with SplitMix64; `stream` separates independent streams of one seed.
    init(seed: UInt64, stream: UInt64 = 0) {
        var splitMix = SplitMix64(seed: seed &+ stream &* 0xD1B5_4A32_D192_ED03)
        s0 = splitMix.next(); s1 = splitMix.next(); s2 = splitMix.next(); s3 = splitMix.next()
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1).
    @inline(__always)
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [a, b).
    @inline(__always)
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * unit() }

    /// Uniform integer in 0..<n (n > 0); Lemire's multiply-shift, bias negligible for our n.
    @inline(__always)
    mutating func below(_ n: Int) -> Int { Int(((next() >> 32) &* UInt64(n)) >> 32) }

    /// Uniform integer in the closed range.
    @inline(__always)
    mutating func int(_ a: Int, _ b: Int) -> Int { a + below(b - a + 1) }

    /// True with probability p.
    @inline(__always)
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Triangular distribution on [a, b] with mode c.
    mutating func triangular(_ a: Double, _ c: Double, _ b: Double) -> Double {
        let u = unit()
        let f = (c - a) / (b - a)
        if u < f { return a + ((b - a) * (c - a) * u).squareRoot() }
        return b - ((b - a) * (b - c) * (1 - u)).squareRoot()
    }

    /// An element of `items`.
    @inline(__always)
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Draws indices in proportion to fixed weights (cumulative table, binary search).
struct WeightedChoice {
    private var cumulative: [Double]
    init(_ weights: [Double]) {
        var c: [Double] = []
        c.reserveCapacity(weights.count)
        var sum = 0.0
        for w in weights { sum += max(0, w); c.append(sum) }
        cumulative = c
    }
    var isEmpty: Bool { cumulative.last ?? 0 <= 0 }
    func draw(_ rng: inout Xoshiro256) -> Int {
        let x = rng.unit() * cumulative[cumulative.count - 1]
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > x { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// SplitMix64: a small deterministic generator, the same stream for a seed
/// on every machine. It seeds `Xoshiro256`, and picks the benchmarks'
/// random dossiers and the tests' random instants.
package struct SplitMix64 {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (bound > 0; the modulo bias is negligible for bounds far below 2^64).
    package mutating func below<Bound: BinaryInteger>(_ bound: Bound) -> Bound { Bound(next() % UInt64(bound)) }
}
