#if arch(x86_64)
import SHA256NI
#endif

/// SHA-256 (FIPS 180-4), written here because the ledger takes no crypto
/// package. Used for the hash chain and for content digests of events
/// without an `id`. Its blocks are compressed by the x86 SHA extensions
/// where the CPU has them, else by portable Swift (`Implementation`): the
/// digests are the same.
///
/// - Complexity: O(n) in the bytes hashed. A hasher and a digest hold
///   their bytes inline: hashing allocates nothing.
public struct SHA256: Sendable {
    /// A 32-byte digest, held inline (four words in the bytes' order).
    public struct Digest: Hashable, Sendable, CustomStringConvertible {
        private var words: (UInt64, UInt64, UInt64, UInt64)

        /// The digest whose bytes are `bytes`, which must be 32.
        public init<C: Collection>(bytes: C) where C.Element == UInt8 {
            precondition(bytes.count == 32)
            words = (0, 0, 0, 0)
            Swift.withUnsafeMutableBytes(of: &words) { out in
                for (i, b) in bytes.enumerated() { out[i] = b }
            }
        }

        /// The digest whose bytes are the 32 bytes at `raw`.
        public init(_ raw: UnsafeRawBufferPointer) {
            precondition(raw.count == 32)
            words = (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                     raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }

        fileprivate init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

        /// The digest of a finished hash state `h0`…`h7` (its words big-endian, in order).
        init(state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)) {
            @inline(__always) func pair(_ a: UInt32, _ b: UInt32) -> UInt64 {
                (UInt64(a.bigEndian) | UInt64(b.bigEndian) << 32).littleEndian
            }
            words = (pair(state.0, state.1), pair(state.2, state.3), pair(state.4, state.5), pair(state.6, state.7))
        }

        /// The 32 bytes.
        public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

        /// Calls `body` with the 32 bytes.
        public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            var copy = words
            return try Swift.withUnsafeBytes(of: &copy) { try body($0) }
        }

        public static func == (a: Digest, b: Digest) -> Bool { a.words == b.words }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(words.0); hasher.combine(words.1); hasher.combine(words.2); hasher.combine(words.3)
        }

        /// All zeros: the "previous hash" of the first event.
        public static let zero = Digest(words: (0, 0, 0, 0))

        /// Lower-case hex, 64 characters.
        public var hex: String {
            let digits = Array("0123456789abcdef".utf8)
            var out = [UInt8](); out.reserveCapacity(64)
            withUnsafeBytes { for b in $0 { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) } }
            return String(decoding: out, as: UTF8.self)
        }

        /// Parses 64 hex characters.
        public init?(hex: String) {
            let utf8 = Array(hex.utf8)
            guard utf8.count == 64 else { return nil }
            var out = [UInt8](); out.reserveCapacity(32)
            func nibble(_ c: UInt8) -> UInt8? {
                switch c {
                case 48...57: c - 48
                case 97...102: c - 87
                case 65...70: c - 55
                default: nil
                }
            }
            for i in stride(from: 0, to: 64, by: 2) {
                guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
                out.append(hi << 4 | lo)
            }
            self.init(bytes: out)
        }

        public var description: String { hex }
    }

    @usableFromInline static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// A hash state, h0…h7.
    typealias State = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
    /// The state before the first block (FIPS 180-4, 5.3.3).
    private static let initialState: State = (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    private var h: State = SHA256.initialState
    /// Bytes waiting for a full 64-byte block: the first `pendingCount` of these.
    private var pending: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var pendingCount = 0
    private var totalBytes: UInt64 = 0

    /// The code that compresses the blocks.
    public let implementation: Implementation

    /// A hasher whose blocks `implementation` compresses, which must be
    /// available on this CPU (the fastest that is, by default).
    public init(implementation: Implementation = .fastest) {
        precondition(implementation.isAvailable, "SHA-256 \(implementation.rawValue) needs CPU instructions this machine lacks")
        self.implementation = implementation
    }

    /// Hashes `bytes` in one call.
    public static func hash<C: Collection>(_ bytes: C, implementation: Implementation = .fastest) -> Digest where C.Element == UInt8 {
        var s = SHA256(implementation: implementation); s.update(bytes); return s.finalize()
    }

    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) != nil { return }
        Array(bytes).withUnsafeBytes { update($0) }
    }

    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        totalBytes &+= UInt64(buffer.count)
        var offset = 0
        if pendingCount > 0 {
            let take = min(64 - pendingCount, buffer.count)
            let count = pendingCount
            withUnsafeMutableBytes(of: &pending) { $0.baseAddress!.advanced(by: count).copyMemory(from: base, byteCount: take) }
            pendingCount += take
            offset = take
            guard pendingCount == 64 else { return }
            var block = pending
            withUnsafeBytes(of: &block) { Self.compress(&h, $0.baseAddress!, blocks: 1, implementation) }
            pendingCount = 0
        }
        let blocks = (buffer.count - offset) / 64
        if blocks > 0 {
            Self.compress(&h, base + offset, blocks: blocks, implementation)
            offset += 64 * blocks
        }
        if offset < buffer.count {
            let rest = buffer.count - offset
            withUnsafeMutableBytes(of: &pending) { $0.baseAddress!.copyMemory(from: base + offset, byteCount: rest) }
            pendingCount = rest
        }
    }

    /// Pads, finishes and returns the digest. The hasher must not be reused.
    public mutating func finalize() -> Digest {
        let bitLength = totalBytes &* 8
        // The pending bytes, 0x80, zeros and the length: one block, or two when fewer than 9 bytes are left.
        var tail: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                   UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let count = pendingCount
        let blocks = count < 56 ? 1 : 2
        var state = h
        var block = pending
        withUnsafeMutableBytes(of: &tail) { t in
            withUnsafeBytes(of: &block) { t.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
            t[count] = 0x80
            t.storeBytes(of: bitLength.bigEndian, toByteOffset: 64 * blocks - 8, as: UInt64.self)
            Self.compress(&state, t.baseAddress!, blocks: blocks, implementation)
        }
        return Digest(state: state)
    }

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// The state after `blocks` 64-byte blocks at `data`, from the initial one.
    static func compressedState(_ data: UnsafeRawPointer, blocks: Int, _ implementation: Implementation) -> State {
        var state = initialState
        compress(&state, data, blocks: blocks, implementation)
        return state
    }

    /// The states after the blocks of two messages (`firstBlocks` 64-byte
    /// blocks at `first`, `secondBlocks` at `second`), each from the initial
    /// one. On the SHA extensions the blocks they share are compressed side
    /// by side (`compressTwoWithSHAExtensions`), and the longer message's
    /// rest alone.
    static func compressedStates(_ first: UnsafeRawPointer, blocks firstBlocks: Int,
                                 _ second: UnsafeRawPointer, blocks secondBlocks: Int,
                                 _ implementation: Implementation) -> (State, State) {
        var a = initialState, b = initialState
        var shared = 0
        #if arch(x86_64)
        if implementation == .shaExtensions {
            shared = min(firstBlocks, secondBlocks)
            k.withUnsafeBufferPointer { k in
                withUnsafeMutableBytes(of: &a) { a in
                    withUnsafeMutableBytes(of: &b) { b in
                        compressTwoWithSHAExtensions(a.baseAddress!.assumingMemoryBound(to: UInt32.self), first,
                                                     b.baseAddress!.assumingMemoryBound(to: UInt32.self), second,
                                                     blocks: shared, roundConstants: k.baseAddress!)
                    }
                }
            }
        }
        #endif
        compress(&a, first + 64 * shared, blocks: firstBlocks - shared, implementation)
        compress(&b, second + 64 * shared, blocks: secondBlocks - shared, implementation)
        return (a, b)
    }

    /// `blocks` 64-byte blocks at `data` into `h`, by `implementation`.
    @inline(__always)
    private static func compress(_ h: inout State, _ data: UnsafeRawPointer, blocks: Int, _ implementation: Implementation) {
        switch implementation {
        case .portable:
            for i in 0..<blocks { compressPortably(&h, data + 64 * i) }
        case .shaExtensions:
            #if arch(x86_64)
            k.withUnsafeBufferPointer { k in
                withUnsafeMutableBytes(of: &h) { h in
                    compressWithSHAExtensions(h.baseAddress!.assumingMemoryBound(to: UInt32.self), data, blocks: blocks, roundConstants: k.baseAddress!)
                }
            }
            #else
            preconditionFailure("the SHA extensions are x86's")
            #endif
        }
    }

    /// One 64-byte block into `h`, in Swift for any CPU.
    private static func compressPortably(_ h: inout State, _ block: UnsafeRawPointer) {
        k.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                for t in 0..<16 {
                    w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self))
                }
                for t in 16..<64 {
                    let a = w[t - 15], b = w[t - 2]
                    let s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >> 3)
                    let s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >> 10)
                    w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                }
                var (a, b, c, d, e, f, g, hh) = h
                for t in 0..<64 {
                    let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                    let ch = g ^ (e & (f ^ g))
                    let t1 = hh &+ s1 &+ ch &+ k[t] &+ w[t]
                    let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                    let maj = (a & b) | (c & (a | b))
                    hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ s0 &+ maj
                }
                h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh)
            }
        }
    }
}
