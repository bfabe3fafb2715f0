extension SHA256 {
    /// Up to `width` independent messages hashed side by side, one per
    /// SIMD lane: the same digests `SHA256.hash` gives each message, for
    /// fewer instructions each. `verify` uses it, since the hash of every
    /// link of the chain depends only on bytes already stored.
    ///
    /// Add messages with `add(_:_:)`; `digests()` hashes them and empties
    /// the batch. Owns its lane buffers (non-copyable, freed when it goes):
    /// use one batch from one thread.
    ///
    /// - Complexity: O(bytes) per batch; the lanes run for the blocks of
    ///   the longest message, so messages of similar length fill them best.
    public struct Lanes: ~Copyable {
        public static let width = 8
        /// Lane `i`'s message, padded as FIPS 180-4 pads it (0x80, zeros, bit
        /// length), is at `storage + i * stride`.
        private var storage: UnsafeMutableRawPointer
        private var stride: Int
        /// Blocks of each lane's padded message (0 for lanes not added).
        private var blockCounts = SIMD8<Int32>(repeating: 0)
        public private(set) var count = 0

        public init() {
            stride = 1024
            storage = .allocate(byteCount: Self.width * stride, alignment: 16)
        }

        deinit { storage.deallocate() }

        public var isFull: Bool { count == Self.width }

        /// Adds the message `first` followed by `second` as the next lane.
        public mutating func add(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) {
            precondition(count < Self.width)
            let length = first.count + second.count
            let blocks = (length + 9 + 63) / 64
            if blocks * 64 > stride { grow(to: blocks * 64) }
            let lane = storage + count * stride
            if let f = first.baseAddress { lane.copyMemory(from: f, byteCount: first.count) }
            if let s = second.baseAddress { (lane + first.count).copyMemory(from: s, byteCount: second.count) }
            lane.storeBytes(of: 0x80, toByteOffset: length, as: UInt8.self)
            (lane + length + 1).initializeMemory(as: UInt8.self, repeating: 0, count: blocks * 64 - 8 - length - 1)
            lane.storeBytes(of: (UInt64(length) &* 8).bigEndian, toByteOffset: blocks * 64 - 8, as: UInt64.self)
            blockCounts[count] = Int32(blocks)
            count += 1
        }

        private mutating func grow(to size: Int) {
            let newStride = max(size, 2 * stride)
            let new = UnsafeMutableRawPointer.allocate(byteCount: Self.width * newStride, alignment: 16)
            for lane in 0..<count { (new + lane * newStride).copyMemory(from: storage + lane * stride, byteCount: stride) }
            storage.deallocate()
            storage = new
            stride = newStride
        }

        /// The digests of the messages added, in the order added; the batch is then empty.
        public mutating func digests() -> [Digest] {
            defer { count = 0; blockCounts = SIMD8(repeating: 0) }
            var h = (SIMD8<UInt32>(repeating: 0x6a09e667), SIMD8<UInt32>(repeating: 0xbb67ae85),
                     SIMD8<UInt32>(repeating: 0x3c6ef372), SIMD8<UInt32>(repeating: 0xa54ff53a),
                     SIMD8<UInt32>(repeating: 0x510e527f), SIMD8<UInt32>(repeating: 0x9b05688c),
                     SIMD8<UInt32>(repeating: 0x1f83d9ab), SIMD8<UInt32>(repeating: 0x5be0cd19))
            let blocks = blockCounts
            let most = Int(blocks.max())
            let (storage, stride) = (self.storage, self.stride)
            withUnsafeTemporaryAllocation(of: SIMD8<UInt32>.self, capacity: 64) { w in
                for block in 0..<most {
                    let active = SIMD8<Int32>(repeating: Int32(block)) .< blocks
                    // The block's 16 words, lane by lane (a lane already done reads its last block again and is not updated).
                    var offsets = SIMD8<Int>(repeating: 0)
                    for lane in 0..<8 { offsets[lane] = lane * stride + min(block, max(Int(blocks[lane]) - 1, 0)) * 64 }
                    for t in 0..<16 {
                        @inline(__always) func word(_ lane: Int) -> UInt32 {
                            UInt32(bigEndian: storage.loadUnaligned(fromByteOffset: offsets[lane] + 4 * t, as: UInt32.self))
                        }
                        w[t] = SIMD8(word(0), word(1), word(2), word(3), word(4), word(5), word(6), word(7))
                    }
                    let next = Self.compress(h, w)
                    h = (h.0.replacing(with: next.0, where: active), h.1.replacing(with: next.1, where: active),
                         h.2.replacing(with: next.2, where: active), h.3.replacing(with: next.3, where: active),
                         h.4.replacing(with: next.4, where: active), h.5.replacing(with: next.5, where: active),
                         h.6.replacing(with: next.6, where: active), h.7.replacing(with: next.7, where: active))
                }
            }
            return (0..<count).map { lane in
                Digest(state: (h.0[lane], h.1[lane], h.2[lane], h.3[lane], h.4[lane], h.5[lane], h.6[lane], h.7[lane]))
            }
        }

        private typealias State = (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>,
                                   SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>)

        /// One block of every lane: `w` holds its 16 words and is extended to 64.
        /// The rotations are spelled as two shifts each, XORed: written as
        /// rotations, LLVM turns them into scalar rotates on baseline x86-64
        /// (no vector rotate before AVX-512), one lane at a time.
        private static func compress(_ h: State, _ w: UnsafeMutableBufferPointer<SIMD8<UInt32>>) -> State {
            SHA256.k.withUnsafeBufferPointer { k in
                for t in 16..<64 {
                    let a = w[t - 15], b = w[t - 2]
                    let s0 = (a &>> 7 ^ a &>> 18 ^ a &>> 3) ^ (a &<< 25 ^ a &<< 14)
                    let s1 = (b &>> 17 ^ b &>> 19 ^ b &>> 10) ^ (b &<< 15 ^ b &<< 13)
                    w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                }
                var (a, b, c, d, e, f, g, hh) = h
                for t in 0..<64 {
                    let s1 = (e &>> 6 ^ e &>> 11 ^ e &>> 25) ^ (e &<< 26 ^ e &<< 21 ^ e &<< 7)
                    let ch = g ^ (e & (f ^ g))
                    let t1 = hh &+ s1 &+ ch &+ SIMD8(repeating: k[t]) &+ w[t]
                    let s0 = (a &>> 2 ^ a &>> 13 ^ a &>> 22) ^ (a &<< 30 ^ a &<< 19 ^ a &<< 10)
                    let maj = (a & b) | (c & (a | b))
                    hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ s0 &+ maj
                }
                return (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh)
            }
        }
    }
}
