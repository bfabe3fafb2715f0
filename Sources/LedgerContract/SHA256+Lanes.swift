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
        public static let width = 16
        /// Lane `i`'s message, padded as FIPS 180-4 pads it (0x80, zeros, bit
        /// length), is at `storage + i * stride`.
        private var storage: UnsafeMutableRawPointer
        private var stride: Int
        /// Blocks of each lane's padded message (0 for lanes not added).
        private var blockCounts = SIMD16<UInt32>(repeating: 0)
        public private(set) var count = 0
        /// The code that hashes each batch.
        public let kernel: Kernel

        /// The message schedule of the block being hashed, 64 vectors.
        private let schedule: UnsafeMutablePointer<SIMD16<UInt32>>

        public init(kernel: Kernel = .portable) {
            self.kernel = kernel
            stride = 1024
            storage = .allocate(byteCount: Self.width * stride, alignment: 16)
            schedule = .allocate(capacity: 64)
        }

        deinit {
            storage.deallocate()
            schedule.deallocate()
        }

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
            blockCounts[count] = UInt32(blocks)
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
            defer { count = 0; blockCounts = SIMD16(repeating: 0) }
            let h = SHA256.k.withUnsafeBufferPointer { k in
                kernel.hashLanes(Batch(storage: UnsafeRawPointer(storage), stride: stride, blockCounts: blockCounts,
                                       mostBlocks: Int(blockCounts.max()), schedule: schedule, roundConstants: k.baseAddress!))
            }
            return (0..<count).map { lane in
                Digest(state: (h.0[lane], h.1[lane], h.2[lane], h.3[lane], h.4[lane], h.5[lane], h.6[lane], h.7[lane]))
            }
        }

        /// The final hash state of every lane, its eight words one vector each.
        public typealias LaneStates = (SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>,
                                       SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>)

        /// What a kernel hashes: the padded message of lane `i` at
        /// `storage + i * stride`, `blockCounts[i]` blocks long, with room for
        /// the message schedule (64 vectors) and the 64 round constants.
        public struct Batch {
            public let storage: UnsafeRawPointer
            public let stride: Int
            public let blockCounts: SIMD16<UInt32>
            public let mostBlocks: Int
            public let schedule: UnsafeMutablePointer<SIMD16<UInt32>>
            public let roundConstants: UnsafePointer<UInt32>
        }

        /// The code that hashes a batch: `hashLanes` compiled for some CPU.
        /// `portable` runs everywhere; a module built for a wider instruction
        /// set offers its own (`SHA256Wide`), to be used only where the CPU has it.
        public struct Kernel: Sendable {
            public let hashLanes: @Sendable (Batch) -> LaneStates
            /// What it was compiled for, for reports.
            public let name: String

            public init(name: String, hashLanes: @escaping @Sendable (Batch) -> LaneStates) {
                self.name = name
                self.hashLanes = hashLanes
            }

            /// `hashLanes` compiled for the baseline of the platform.
            public static let portable = Kernel(name: "portable") { Lanes.hashLanes($0) }

            /// The lanes' messages hashed two at a time on the x86 SHA extensions
            /// (`SHA256.Implementation.shaExtensions`), which beat the
            /// baseline's lanes several times over; nil on a CPU without them.
            public static let shaExtensions: Kernel? = Implementation.shaExtensions.isAvailable
                ? Kernel(name: "sha-extensions") { Lanes.hashEachLane($0, implementation: .shaExtensions) }
                : nil
        }

        /// The final state of each lane's padded message, its blocks
        /// compressed by `implementation` two messages at a time
        /// (`SHA256.compressedStates`).
        static func hashEachLane(_ batch: Batch, implementation: Implementation) -> LaneStates {
            // Word i of every lane's state is row i of `words`, loaded as one vector at the end.
            var words = (SIMD16<UInt32>.zero, SIMD16<UInt32>.zero, SIMD16<UInt32>.zero, SIMD16<UInt32>.zero,
                         SIMD16<UInt32>.zero, SIMD16<UInt32>.zero, SIMD16<UInt32>.zero, SIMD16<UInt32>.zero)
            return withUnsafeMutableBytes(of: &words) { words in
                let w = words.baseAddress!.assumingMemoryBound(to: UInt32.self)
                func set(_ lane: Int, _ s: State) {
                    w[lane] = s.0; w[16 + lane] = s.1; w[32 + lane] = s.2; w[48 + lane] = s.3
                    w[64 + lane] = s.4; w[80 + lane] = s.5; w[96 + lane] = s.6; w[112 + lane] = s.7
                }
                hashEachLane(batch, implementation: implementation, into: set)
                func row(_ i: Int) -> SIMD16<UInt32> { words.loadUnaligned(fromByteOffset: 64 * i, as: SIMD16<UInt32>.self) }
                return (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
            }
        }

        /// Gives `set` the final state of each lane's padded message.
        private static func hashEachLane(_ batch: Batch, implementation: Implementation, into set: (Int, State) -> Void) {
            var lane = 0
            while lane < Lanes.width {
                let blocks = Int(batch.blockCounts[lane])
                let nextBlocks = lane + 1 < Lanes.width ? Int(batch.blockCounts[lane + 1]) : 0
                if blocks > 0 && nextBlocks > 0 {
                    let (s, t) = SHA256.compressedStates(batch.storage + lane * batch.stride, blocks: blocks,
                                                         batch.storage + (lane + 1) * batch.stride, blocks: nextBlocks, implementation)
                    set(lane, s)
                    set(lane + 1, t)
                    lane += 2
                } else {
                    if blocks > 0 { set(lane, SHA256.compressedState(batch.storage + lane * batch.stride, blocks: blocks, implementation)) }
                    lane += 1
                }
            }
        }

        /// Every lane's padded message hashed, block by block, all lanes at
        /// once. Inlinable so that a module compiled for a wider instruction
        /// set makes its own copy of it (`Kernel`): it calls nothing that
        /// could stay a function of its own (no closure, no generic
        /// algorithm), so that no code compiled for that set is shared by name
        /// with the rest of the program.
        @inlinable @inline(__always)
        public static func hashLanes(_ batch: Batch) -> LaneStates {
            var h = (SIMD16<UInt32>(repeating: 0x6a09e667), SIMD16<UInt32>(repeating: 0xbb67ae85),
                     SIMD16<UInt32>(repeating: 0x3c6ef372), SIMD16<UInt32>(repeating: 0xa54ff53a),
                     SIMD16<UInt32>(repeating: 0x510e527f), SIMD16<UInt32>(repeating: 0x9b05688c),
                     SIMD16<UInt32>(repeating: 0x1f83d9ab), SIMD16<UInt32>(repeating: 0x5be0cd19))
            let w = batch.schedule, storage = batch.storage
            var block = 0
            while block < batch.mostBlocks {
                // All ones in the lanes with a block `block`; a lane already done reads its last block again and is not updated.
                let active = SIMD16<UInt32>(repeating: 0) &- ((SIMD16<UInt32>(repeating: UInt32(block)) &- batch.blockCounts) &>> 31)
                var lane = 0
                while lane < 16 {
                    let lastBlock = Int(batch.blockCounts[lane]) - 1
                    let base = storage + lane * batch.stride + (block < lastBlock ? block : (lastBlock > 0 ? lastBlock : 0)) * 64
                    var t = 0
                    while t < 16 {
                        w[t][lane] = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self))
                        t += 1
                    }
                    lane += 1
                }
                let next = compress(h, w, batch.roundConstants)
                h = (next.0 & active | h.0 & ~active, next.1 & active | h.1 & ~active,
                     next.2 & active | h.2 & ~active, next.3 & active | h.3 & ~active,
                     next.4 & active | h.4 & ~active, next.5 & active | h.5 & ~active,
                     next.6 & active | h.6 & ~active, next.7 & active | h.7 & ~active)
                block += 1
            }
            return h
        }

        /// Every lane's 32-bit word rotated right by `n`. Spelled as two
        /// shifts ORed: on AVX-512 LLVM makes it one vector rotate; on
        /// baseline x86-64 (no vector rotate) it stays two vector shifts.
        @inlinable @inline(__always)
        static func rotr(_ x: SIMD16<UInt32>, _ n: UInt32) -> SIMD16<UInt32> {
            (x &>> SIMD16(repeating: n)) | (x &<< SIMD16(repeating: 32 - n))
        }

        /// One block of every lane: `w` holds its 16 words and is extended to 64.
        @inlinable @inline(__always)
        static func compress(_ h: LaneStates, _ w: UnsafeMutablePointer<SIMD16<UInt32>>, _ k: UnsafePointer<UInt32>) -> LaneStates {
            var t = 16
            while t < 64 {
                let a = w[t - 15], b = w[t - 2]
                let s0 = rotr(a, 7) ^ rotr(a, 18) ^ a &>> 3
                let s1 = rotr(b, 17) ^ rotr(b, 19) ^ b &>> 10
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                t += 1
            }
            var (a, b, c, d, e, f, g, hh) = h
            t = 0
            while t < 64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = g ^ (e & (f ^ g))
                let t1 = hh &+ s1 &+ ch &+ SIMD16(repeating: k[t]) &+ w[t]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) | (c & (a | b))
                hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ s0 &+ maj
                t += 1
            }
            return (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh)
        }
    }
}
