import SystemIO

/// Where the import reads bytes from, a piece at a time.
public protocol ByteSource {
    /// Fills the start of `buffer`; returns how many bytes, 0 at the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// An open file descriptor (a file, or stdin) as a byte source. It does not close it.
public struct FileSource: ByteSource {
    public let fd: Int32
    public let name: String
    public init(fd: Int32, name: String) { self.fd = fd; self.name = name }
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try FileSystem.read(fd, into: buffer, subject: name) }
}

/// Bytes in memory as a byte source.
public struct MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position)
        bytes.withUnsafeBytes { buffer.baseAddress?.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position += n
        return n
    }
}

/// Decompresses gzip (RFC 1952): a DEFLATE (RFC 1951) decoder written here,
/// since the ledger takes no compression package. Damaged input is an error,
/// never a crash.
public enum Gzip {
    public struct Error: Swift.Error, CustomStringConvertible {
        public let reason: String
        public var description: String { "not valid gzip data: \(reason)" }
    }

    /// Whether `bytes` starts with the gzip magic number.
    public static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    /// The whole decompressed text of `bytes` (every member), at most `maxOutput` bytes.
    public static func decompress(_ bytes: [UInt8], maxOutput: Int = 1 << 32) throws -> [UInt8] {
        guard isGzip(bytes) else { throw Error(reason: "bad header") }
        var reader = GzipReader(MemorySource(bytes))
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { return out }
            guard out.count + n <= maxOutput else { throw Error(reason: "more than \(maxOutput) bytes of output") }
            out.append(contentsOf: chunk[..<n])
        }
    }
}

/// A streaming gzip decoder over another byte source: reads the compressed
/// bytes a piece at a time and gives the decompressed ones a piece at a
/// time, keeping only DEFLATE's 32 KiB window, whatever the sizes. Every
/// member of a multi-member file is read; each member's CRC-32 and length
/// are checked. A file cut anywhere, or damaged, is a `Gzip.Error`.
public struct GzipReader<Source: ByteSource>: ByteSource {
    private var source: Source
    private var input = [UInt8](repeating: 0, count: 1 << 16)
    private var inStart = 0, inEnd = 0
    private var sourceEnded = false
    private var bitBuffer: UInt64 = 0
    private var bitCount = 0
    /// The last 32 KiB of output (the window back-references reach into).
    private var window = [UInt8](repeating: 0, count: 1 << 15)
    private var windowEnd = 0
    private var crc: UInt32 = 0
    private var memberBytes: UInt32 = 0
    private var members = 0

    private enum State {
        case memberHeader, blockHeader, stored(remaining: Int), codes, copy(length: Int, distance: Int), memberTrailer, done
    }
    private var state = State.memberHeader
    private var lastBlock = false
    private var literals = HuffmanTable.fixedLiterals
    private var distances = HuffmanTable.fixedDistances

    public init(_ source: Source) { self.source = source }

    // MARK: Input

    /// Loads more compressed bytes; false at the end of the source.
    private mutating func refill() throws -> Bool {
        if sourceEnded { return false }
        if inStart > 0 {
            input.withUnsafeMutableBytes { b in
                if inEnd > inStart { b.baseAddress!.copyMemory(from: b.baseAddress! + inStart, byteCount: inEnd - inStart) }
            }
            inEnd -= inStart
            inStart = 0
        }
        let n = try input.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[inEnd...])) }
        if n == 0 { sourceEnded = true; return false }
        inEnd += n
        return true
    }

    /// Tops the bit buffer up to at least `n` bits when the input has them.
    @inline(__always)
    private mutating func need(_ n: Int) throws -> Bool {
        while bitCount < n {
            if inStart == inEnd, !(try refill()) { return false }
            bitBuffer |= UInt64(input[inStart]) << UInt64(bitCount)
            inStart += 1
            bitCount += 8
        }
        return true
    }

    @inline(__always)
    private mutating func bits(_ n: Int) throws -> Int {
        guard try need(n) else { throw Gzip.Error(reason: "truncated: the data ends inside a block") }
        let v = Int(bitBuffer & ((1 << UInt64(n)) - 1))
        bitBuffer >>= UInt64(n)
        bitCount -= n
        return v
    }

    /// The next whole byte (after dropping the bits left of a partial one), or nil at the end.
    private mutating func byte() throws -> UInt8? {
        if bitCount >= 8 {
            let b = UInt8(truncatingIfNeeded: bitBuffer)
            bitBuffer >>= 8
            bitCount -= 8
            return b
        }
        bitBuffer = 0
        bitCount = 0
        if inStart == inEnd, !(try refill()) { return nil }
        defer { inStart += 1 }
        return input[inStart]
    }

    private mutating func requiredByte(_ what: String) throws -> UInt8 {
        guard let b = try byte() else { throw Gzip.Error(reason: "truncated: the data ends inside the \(what)") }
        return b
    }

    private mutating func u32(_ what: String) throws -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(try requiredByte(what)) << (8 * UInt32(i)) }
        return v
    }

    /// Decodes one symbol: a table lookup of up to `HuffmanTable.fastBits` bits, else bit by bit.
    @inline(__always)
    private mutating func decode(_ table: HuffmanTable) throws -> Int {
        _ = try need(HuffmanTable.fastBits)
        let entry = table.fast[Int(bitBuffer & HuffmanTable.fastMask)]
        if entry != 0, Int(entry & 0xF) <= bitCount {
            let length = Int(entry & 0xF)
            bitBuffer >>= UInt64(length)
            bitCount -= length
            return Int(entry >> 4)
        }
        // A code longer than the table, or the last bits of the input: canonical decoding.
        var code = 0, first = 0, index = 0
        for length in 1...15 {
            code |= try bits(1)
            let count = table.counts[length]
            if code - count < first { return table.symbols[index + (code - first)] }
            index += count
            first += count
            first <<= 1
            code <<= 1
        }
        throw Gzip.Error(reason: "invalid Huffman code")
    }

    // MARK: Output

    @inline(__always)
    private mutating func emit(_ b: UInt8, to out: UnsafeMutableRawBufferPointer, at n: inout Int) {
        out[n] = b
        n += 1
        window[windowEnd & 0x7FFF] = b
        windowEnd &+= 1
    }

    /// Adds the bytes given since `counted` to the member's CRC-32 and length.
    private mutating func account(_ out: UnsafeMutableRawBufferPointer, from counted: inout Int, to n: Int) {
        guard n > counted else { return }
        crc = CRC32.update(crc, UnsafeRawBufferPointer(rebasing: out[counted..<n]))
        memberBytes &+= UInt32(truncatingIfNeeded: n - counted)
        counted = n
    }

    public mutating func read(into out: UnsafeMutableRawBufferPointer) throws -> Int {
        var n = 0
        var counted = 0
        defer { account(out, from: &counted, to: n) }
        while n < out.count {
            switch state {
            case .done:
                return n
            case .memberHeader:
                guard let first = try byte() else {
                    guard members > 0 else { throw Gzip.Error(reason: "empty input") }
                    state = .done
                    return n
                }
                try readMemberHeader(first)
                crc = 0
                memberBytes = 0
                members += 1
                state = .blockHeader
            case .blockHeader:
                if lastBlock {
                    state = .memberTrailer
                    continue
                }
                lastBlock = try bits(1) == 1
                switch try bits(2) {
                case 0:
                    bitBuffer >>= UInt64(bitCount & 7)   // to the byte boundary
                    bitCount -= bitCount & 7
                    let length = Int(try requiredByte("stored block")) | Int(try requiredByte("stored block")) << 8
                    let complement = Int(try requiredByte("stored block")) | Int(try requiredByte("stored block")) << 8
                    guard length == ~complement & 0xFFFF else { throw Gzip.Error(reason: "stored block length check failed") }
                    state = .stored(remaining: length)
                case 1:
                    literals = HuffmanTable.fixedLiterals
                    distances = HuffmanTable.fixedDistances
                    state = .codes
                case 2:
                    try readDynamicTables()
                    state = .codes
                default:
                    throw Gzip.Error(reason: "invalid block type")
                }
            case .stored(let remaining):
                if remaining == 0 { state = .blockHeader; continue }
                let b = try requiredByte("stored block")
                emit(b, to: out, at: &n)
                state = .stored(remaining: remaining - 1)
            case .copy(var length, let distance):
                while length > 0 && n < out.count {
                    emit(window[(windowEnd &- distance) & 0x7FFF], to: out, at: &n)
                    length -= 1
                }
                state = length == 0 ? .codes : .copy(length: length, distance: distance)
            case .codes:
                while n < out.count {
                    let symbol = try decode(literals)
                    if symbol < 256 {
                        emit(UInt8(symbol), to: out, at: &n)
                        continue
                    }
                    if symbol == 256 { state = .blockHeader; break }
                    let s = symbol - 257
                    guard s < 29 else { throw Gzip.Error(reason: "invalid length code") }
                    let length = HuffmanTable.lengthBase[s] + (try bits(HuffmanTable.lengthExtra[s]))
                    let d = try decode(distances)
                    guard d < 30 else { throw Gzip.Error(reason: "invalid distance code") }
                    let distance = HuffmanTable.distanceBase[d] + (try bits(HuffmanTable.distanceExtra[d]))
                    guard distance <= windowEnd, distance <= 1 << 15 else { throw Gzip.Error(reason: "distance reaches before the start of the data") }
                    state = .copy(length: length, distance: distance)
                    break
                }
            case .memberTrailer:
                bitBuffer >>= UInt64(bitCount & 7)
                bitCount -= bitCount & 7
                let expectedCRC = try u32("trailer (CRC-32 and length)")
                let expectedSize = try u32("trailer (CRC-32 and length)")
                account(out, from: &counted, to: n)
                guard crc == expectedCRC else { throw Gzip.Error(reason: "CRC-32 does not match the data (member \(members))") }
                guard memberBytes == expectedSize else { throw Gzip.Error(reason: "length does not match the data (member \(members))") }
                // The next read starts the next member, or finds the end.
                state = .memberHeader
                lastBlock = false
                windowEnd = 0
            }
        }
        return n
    }

    private mutating func readMemberHeader(_ first: UInt8) throws {
        guard first == 0x1F, try requiredByte("header") == 0x8B else { throw Gzip.Error(reason: members == 0 ? "bad header" : "data after the last member is not gzip") }
        guard try requiredByte("header") == 8 else { throw Gzip.Error(reason: "unknown compression method") }
        let flags = try requiredByte("header")
        for _ in 0..<6 { _ = try requiredByte("header") }   // time, extra flags, system
        if flags & 4 != 0 {
            let length = Int(try requiredByte("header")) | Int(try requiredByte("header")) << 8
            for _ in 0..<length { _ = try requiredByte("header") }
        }
        if flags & 8 != 0 { while try requiredByte("header") != 0 {} }   // file name
        if flags & 16 != 0 { while try requiredByte("header") != 0 {} }  // comment
        if flags & 2 != 0 { _ = try requiredByte("header"); _ = try requiredByte("header") }
    }

    private mutating func readDynamicTables() throws {
        let literalCount = try bits(5) + 257, distanceCount = try bits(5) + 1, codeCount = try bits(4) + 4
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var codeLengths = [Int](repeating: 0, count: 19)
        for i in 0..<codeCount { codeLengths[order[i]] = try bits(3) }
        let lengthCode = try HuffmanTable(lengths: codeLengths)
        var lengths: [Int] = []
        lengths.reserveCapacity(literalCount + distanceCount)
        while lengths.count < literalCount + distanceCount {
            let symbol = try decode(lengthCode)
            switch symbol {
            case 0..<16: lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw Gzip.Error(reason: "repeat with no previous length") }
                lengths += [Int](repeating: previous, count: 3 + (try bits(2)))
            case 17: lengths += [Int](repeating: 0, count: 3 + (try bits(3)))
            default: lengths += [Int](repeating: 0, count: 11 + (try bits(7)))
            }
        }
        guard lengths.count == literalCount + distanceCount else { throw Gzip.Error(reason: "too many code lengths") }
        literals = try HuffmanTable(lengths: Array(lengths[0..<literalCount]))
        distances = try HuffmanTable(lengths: Array(lengths[literalCount...]))
    }
}

/// A canonical Huffman code (RFC 1951 §3.2.2): counts per length and
/// symbols in code order, with a lookup table of the codes up to
/// `fastBits` long (indexed by the next bits of the input, least
/// significant first; an entry is symbol << 4 | length, 0 for none).
struct HuffmanTable {
    static let fastBits = 10
    static let fastMask: UInt64 = (1 << 10) - 1
    var counts = [Int](repeating: 0, count: 16)
    var symbols: [Int] = []
    var fast = [UInt32](repeating: 0, count: 1 << 10)

    init(lengths: [Int]) throws {
        for l in lengths {
            guard l >= 0 && l < 16 else { throw Gzip.Error(reason: "invalid code length") }
            counts[l] += 1
        }
        counts[0] = 0
        var offsets = [Int](repeating: 0, count: 16)
        for l in 1..<16 { offsets[l] = offsets[l - 1] + counts[l - 1] }
        symbols = [Int](repeating: 0, count: lengths.count)
        for (s, l) in lengths.enumerated() where l != 0 { symbols[offsets[l]] = s; offsets[l] += 1 }
        // Canonical codes, most significant bit first; the table wants them reversed.
        var code = 0
        var index = 0
        for length in 1...Self.fastBits {
            for _ in 0..<counts[length] {
                var reversed = 0
                for b in 0..<length where code & (1 << b) != 0 { reversed |= 1 << (length - 1 - b) }
                let entry = UInt32(symbols[index]) << 4 | UInt32(length)
                var fill = reversed
                while fill < 1 << Self.fastBits {
                    fast[fill] = entry
                    fill += 1 << length
                }
                code += 1
                index += 1
            }
            code <<= 1
        }
    }

    static let fixedLiterals: HuffmanTable = {
        var lengths = [Int](repeating: 8, count: 288)
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        return try! HuffmanTable(lengths: lengths)
    }()
    static let fixedDistances = try! HuffmanTable(lengths: [Int](repeating: 5, count: 30))

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                               4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
}

/// CRC-32 (IEEE 802.3, reflected, as gzip uses it).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The CRC-32 of the bytes so far (`crc`, 0 for none) extended by `bytes`.
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = ~crc
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return ~c
    }
}
