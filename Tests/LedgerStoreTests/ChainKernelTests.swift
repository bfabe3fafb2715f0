import Foundation
import Testing
import LedgerContract
@testable import LedgerStore

/// The SHA-256 kernels `verify` hashes the chain's links with.
struct ChainKernelTests {
    /// Lanes give each message the digest `hash` gives it, with every kernel
    /// this machine runs: every length around the block and padding edges,
    /// batches of 1 to 16 of unequal lengths (lanes that finish early, and
    /// the pairs of lanes the SHA extensions hash side by side with more
    /// blocks in one than the other), and messages past the lanes' first
    /// buffer size.
    @Test(arguments: [SHA256.Lanes.Kernel.portable] + [SHA256.Lanes.Kernel.avx512, .shaExtensions].compactMap { $0 })
    func lanesGiveTheDigestsOfEachMessage(kernel: SHA256.Lanes.Kernel) {
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        var lanes = SHA256.Lanes(kernel: kernel)
        var expected: [SHA256.Digest] = []
        func flush() {
            #expect(lanes.digests() == expected)
            expected.removeAll()
        }
        bytes.withUnsafeBytes { all in
            var start = 0
            let lengths = Array(0...200) + [247, 248, 255, 256, 310, 1023, 1024, 1500, 4096, 4999]
            for (i, length) in lengths.enumerated() {
                let message = UnsafeRawBufferPointer(rebasing: all[(start % 3)..<(start % 3 + min(length, 4990))])
                let split = i % 3 == 0 ? 0 : min(32, message.count)
                lanes.add(UnsafeRawBufferPointer(rebasing: message[..<split]), UnsafeRawBufferPointer(rebasing: message[split...]))
                expected.append(SHA256.hash(message, implementation: .portable))
                start += 1
                if lanes.isFull || i % 23 == 5 { flush() }
            }
            flush()
        }
        #expect(lanes.count == 0)
        #expect(lanes.digests().isEmpty)
    }

    /// Only `SHA256Wide` holds instructions a baseline x86-64 CPU lacks (its
    /// vector registers), and only `SHA256NI` the SHA extensions, so the
    /// program runs on a CPU without AVX-512 or without the SHA extensions:
    /// no other function was compiled for them, nor shared by name with
    /// them. Read from this test program's own machine code, disassembled
    /// by binutils.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/objdump") && Self.isX86))
    func wideInstructionsStayInTheWideKernel() throws {
        let objdump = Process()
        objdump.executableURL = URL(fileURLWithPath: "/usr/bin/objdump")
        objdump.arguments = ["-d", "--no-show-raw-insn", try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")]
        let pipe = Pipe()
        objdump.standardOutput = pipe
        try objdump.run()
        var function = "", wide: Set<String> = [], sha: Set<String> = [], pending = Data()
        func scan(_ line: Substring) {
            if line.hasSuffix(">:"), let open = line.firstIndex(of: "<") {
                function = String(line[line.index(after: open)..<line.index(line.endIndex, offsetBy: -2)])
            } else if line.contains("%zmm") || line.contains("%ymm") || line.contains("{%k") {
                wide.insert(function)
            } else if line.contains("\tsha256") {
                sha.insert(function)
            }
        }
        while case let chunk = pipe.fileHandleForReading.availableData, !chunk.isEmpty {
            pending.append(chunk)
            guard let lastNewline = pending.lastIndex(of: UInt8(ascii: "\n")) else { continue }
            String(decoding: pending[..<lastNewline], as: UTF8.self).split(separator: "\n").forEach(scan)
            pending.removeSubrange(..<(lastNewline + 1))
        }
        objdump.waitUntilExit()
        #expect(objdump.terminationStatus == 0)
        #expect(wide.contains { $0.hasPrefix("$s10SHA256Wide") })
        #expect(wide.filter { !$0.hasPrefix("$s10SHA256Wide") } == [])
        #expect(sha.contains { $0.hasPrefix("$s8SHA256NI") })
        #expect(sha.filter { !$0.hasPrefix("$s8SHA256NI") } == [])
    }

    static var isX86: Bool {
        #if arch(x86_64)
        true
        #else
        false
        #endif
    }
}

extension SHA256.Lanes.Kernel: CustomTestStringConvertible {
    public var testDescription: String { name }
}
