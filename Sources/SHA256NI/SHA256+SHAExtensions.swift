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
    var message = MessageOnSHAExtensions(state)
    for i in 0..<blocks {
        message.startBlock(data + 64 * i)
        message.sixteenRounds(from: 0, k)
        message.sixteenRounds(from: 4, k)
        message.sixteenRounds(from: 8, k)
        message.sixteenRounds(from: 12, k)
        message.finishBlock()
    }
    message.store(into: state)
}

/// Two messages compressed side by side, `blocks` blocks of each: the
/// states `compressWithSHAExtensions` gives each one, in less time than
/// two calls, since each message's rounds wait on the latency of the one
/// before and the other message's fill the wait. Same requirements as
/// `compressWithSHAExtensions`.
///
/// - Complexity: O(blocks); allocates nothing.
public func compressTwoWithSHAExtensions(_ firstState: UnsafeMutablePointer<UInt32>, _ firstData: UnsafeRawPointer,
                                         _ secondState: UnsafeMutablePointer<UInt32>, _ secondData: UnsafeRawPointer,
                                         blocks: Int, roundConstants k: UnsafePointer<UInt32>) {
    var first = MessageOnSHAExtensions(firstState), second = MessageOnSHAExtensions(secondState)
    for i in 0..<blocks {
        first.startBlock(firstData + 64 * i)
        second.startBlock(secondData + 64 * i)
        first.sixteenRounds(from: 0, k)
        second.sixteenRounds(from: 0, k)
        first.sixteenRounds(from: 4, k)
        second.sixteenRounds(from: 4, k)
        first.sixteenRounds(from: 8, k)
        second.sixteenRounds(from: 8, k)
        first.sixteenRounds(from: 12, k)
        second.sixteenRounds(from: 12, k)
        first.finishBlock()
        second.finishBlock()
    }
    first.store(into: firstState)
    second.store(into: secondState)
}

/// One message's state between blocks and its schedule within one, as the
/// SHA extensions hold them.
private struct MessageOnSHAExtensions {
    /// The state as the instructions keep it: ABEF and CDGH, each with its last letter in lane 0.
    var abef: __m128i, cdgh: __m128i
    var abefBefore: __m128i, cdghBefore: __m128i
    /// The schedule's last sixteen words, four to a vector.
    var w0: __m128i, w1: __m128i, w2: __m128i, w3: __m128i

    @inline(__always) init(_ state: UnsafePointer<UInt32>) {
        let abcd = words(load(state)), efgh = words(load(state + 4))
        abef = vector(SIMD4(efgh[1], efgh[0], abcd[1], abcd[0]))
        cdgh = vector(SIMD4(efgh[3], efgh[2], abcd[3], abcd[2]))
        abefBefore = abef; cdghBefore = cdgh
        w0 = _mm_setzero_si128(); w1 = w0; w2 = w0; w3 = w0
    }

    /// Loads a block's words (big-endian) as the schedule's first sixteen.
    @inline(__always) mutating func startBlock(_ block: UnsafeRawPointer) {
        let byteSwap = _mm_set_epi64x(0x0c0d0e0f_08090a0b, 0x04050607_00010203)
        abefBefore = abef; cdghBefore = cdgh
        w0 = _mm_shuffle_epi8(load(block), byteSwap)
        w1 = _mm_shuffle_epi8(load(block + 16), byteSwap)
        w2 = _mm_shuffle_epi8(load(block + 32), byteSwap)
        w3 = _mm_shuffle_epi8(load(block + 48), byteSwap)
    }

    /// Rounds 4g…4g+15 of the block (g a multiple of 4).
    @inline(__always) mutating func sixteenRounds(from g: Int, _ k: UnsafePointer<UInt32>) {
        fourRounds(g, k, &abef, &cdgh, w0, &w1, &w3)
        fourRounds(g + 1, k, &abef, &cdgh, w1, &w2, &w0)
        fourRounds(g + 2, k, &abef, &cdgh, w2, &w3, &w1)
        fourRounds(g + 3, k, &abef, &cdgh, w3, &w0, &w2)
    }

    @inline(__always) mutating func finishBlock() {
        abef = _mm_add_epi32(abef, abefBefore)
        cdgh = _mm_add_epi32(cdgh, cdghBefore)
    }

    @inline(__always) func store(into state: UnsafeMutablePointer<UInt32>) {
        let x = words(abef), y = words(cdgh)
        state[0] = x[3]; state[1] = x[2]; state[2] = y[3]; state[3] = y[2]
        state[4] = x[1]; state[5] = x[0]; state[6] = y[1]; state[7] = y[0]
    }
}

/// Rounds 4g…4g+3 with their schedule words `current`; meanwhile the
/// schedule is extended: `next` (the following four words, after their
/// msg1) is finished with msg2, and `previous` gets its msg1.
@inline(__always)
private func fourRounds(_ g: Int, _ k: UnsafePointer<UInt32>, _ abef: inout __m128i, _ cdgh: inout __m128i,
                        _ current: __m128i, _ next: inout __m128i, _ previous: inout __m128i) {
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

@inline(__always) private func words(_ x: __m128i) -> SIMD4<UInt32> { unsafeBitCast(x, to: SIMD4<UInt32>.self) }
@inline(__always) private func vector(_ x: SIMD4<UInt32>) -> __m128i { unsafeBitCast(x, to: __m128i.self) }
@inline(__always) private func load(_ p: UnsafeRawPointer) -> __m128i { _mm_loadu_si128(p.assumingMemoryBound(to: __m128i.self)) }
#endif
