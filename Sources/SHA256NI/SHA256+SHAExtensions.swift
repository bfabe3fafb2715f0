#if arch(x86_64)
import _Builtin_intrinsics.intel

/// SHA-256's compression of `blocks` 64-byte blocks at `data` into `state`
/// (its eight words h0…h7, in order), on the x86 SHA extensions
/// (`sha256rnds2`, `sha256msg1`, `sha256msg2`): the same state the portable
/// compression in `LedgerContract.SHA256` gives, several times faster.
/// `roundConstants` are SHA-256's 64 constants K.
///
/// This module alone is built with the SHA extensions and SSE4.1
/// (Package.swift), so any instruction in it may need them: call it only on
/// a CPU that has them, as `SHA256.Implementation.shaExtensions.isAvailable`
/// (built for the baseline, in LedgerContract) tells from CPUID.
///
/// - Complexity: O(blocks); allocates nothing.
public func compressWithSHAExtensions(_ state: UnsafeMutablePointer<UInt32>, _ data: UnsafeRawPointer, blocks: Int,
                                      roundConstants k: UnsafePointer<UInt32>) {
    @inline(__always) func words(_ x: __m128i) -> SIMD4<UInt32> { unsafeBitCast(x, to: SIMD4<UInt32>.self) }
    @inline(__always) func vector(_ x: SIMD4<UInt32>) -> __m128i { unsafeBitCast(x, to: __m128i.self) }
    @inline(__always) func load(_ p: UnsafeRawPointer) -> __m128i { _mm_loadu_si128(p.assumingMemoryBound(to: __m128i.self)) }

    // Each block's words are big-endian.
    let byteSwap = _mm_set_epi64x(0x0c0d0e0f_08090a0b, 0x04050607_00010203)
    let abcd = words(load(state)), efgh = words(load(state + 4))
    // The instructions keep the state as ABEF and CDGH, each with its last letter in lane 0.
    var abef = vector(SIMD4(efgh[1], efgh[0], abcd[1], abcd[0]))
    var cdgh = vector(SIMD4(efgh[3], efgh[2], abcd[3], abcd[2]))
    var block = data
    for _ in 0..<blocks {
        let abefBefore = abef, cdghBefore = cdgh
        var w0 = _mm_shuffle_epi8(load(block), byteSwap)
        var w1 = _mm_shuffle_epi8(load(block + 16), byteSwap)
        var w2 = _mm_shuffle_epi8(load(block + 32), byteSwap)
        var w3 = _mm_shuffle_epi8(load(block + 48), byteSwap)
        // Rounds 4g…4g+3 with their schedule words `current`; meanwhile the
        // schedule is extended: `next` (the following four words, after
        // their msg1) is finished with msg2, and `previous` gets its msg1.
        @inline(__always) func rounds(_ g: Int, _ current: __m128i, _ next: inout __m128i, _ previous: inout __m128i) {
            let message = _mm_add_epi32(current, load(k + 4 * g))
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, message)
            if g >= 3 && g <= 14 {
                let p = words(previous), c = words(current)
                next = _mm_sha256msg2_epu32(_mm_add_epi32(next, vector(SIMD4(p[1], p[2], p[3], c[0]))), current)
            }
            let m = words(message)
            abef = _mm_sha256rnds2_epu32(abef, cdgh, vector(SIMD4(m[2], m[3], m[0], m[0])))
            if g >= 1 && g <= 12 { previous = _mm_sha256msg1_epu32(previous, current) }
        }
        var g = 0
        while g < 16 {
            rounds(g, w0, &w1, &w3)
            rounds(g + 1, w1, &w2, &w0)
            rounds(g + 2, w2, &w3, &w1)
            rounds(g + 3, w3, &w0, &w2)
            g += 4
        }
        abef = _mm_add_epi32(abef, abefBefore)
        cdgh = _mm_add_epi32(cdgh, cdghBefore)
        block += 64
    }
    let x = words(abef), y = words(cdgh)
    state[0] = x[3]; state[1] = x[2]; state[2] = y[3]; state[3] = y[2]
    state[4] = x[1]; state[5] = x[0]; state[6] = y[1]; state[7] = y[0]
}
#endif
