import Foundation
import Testing
import SystemIO

/// The helper a large commit readies its pages with (`PageCacheAhead`):
/// while it reserves and reads the range past a file's end, a writer writes
/// into that range, and afterwards every byte written is the file's, the
/// bytes before the range are as they were, and the range's pages are in
/// the page cache, where the writer found them.
@Suite struct PageCacheAheadTests {
    static let page = 4096

    @Test func readiesThePagesPastTheEndAndChangesNoByteWritten() throws {
        let dir = NSTemporaryDirectory() + "page-cache-ahead-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/data"
        let original = [UInt8](repeating: 0x11, count: 16 * Self.page)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(original)))
        let fd = open(path, O_RDWR)
        try #require(fd >= 0)
        defer { close(fd) }

        // The range starts two pages before the file's end, as a commit's first new page may lie
        // before the end of a file LMDB once made longer.
        let offset = original.count - 2 * Self.page
        let length = 8 << 20
        let helper = try #require(PageCacheAhead(fileDescriptor: fd, offset: offset, length: length))
        let written = [UInt8](repeating: 0xA5, count: Self.page)
        let writes = [offset, offset + 3 * Self.page, offset + (1 << 20), offset + (5 << 20), offset + length - Self.page]
        for at in writes {
            #expect(written.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(at)) } == Self.page)
        }
        let resident = Self.waitUntilResident(fd: fd, offset: offset, length: length)
        helper.stop()
        #expect(resident == length / Self.page, "\(resident ?? 0) of the range's \(length / Self.page) pages were brought into the page cache")

        var size = stat()
        #expect(fstat(fd, &size) == 0)
        #expect(Int(size.st_size) >= offset + length)
        var contents = [UInt8](repeating: 0xFF, count: offset + length)
        #expect(contents.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) } == offset + length)
        var expected = original + [UInt8](repeating: 0, count: offset + length - original.count)
        for at in writes { expected.replaceSubrange(at..<(at + Self.page), with: written) }
        #expect(contents == expected, "a byte of the file is not what was written")
    }

    /// The range's pages in the page cache (`mincore`) once all of them are,
    /// or as many as there were after thirty seconds (the whole suite runs
    /// beside this test on two cores).
    static func waitUntilResident(fd: Int32, offset: Int, length: Int) -> Int? {
        let deadline = Date().addingTimeInterval(30)
        var resident: Int?
        while Date() < deadline {
            resident = residentPages(fd: fd, offset: offset, length: length)
            if resident == length / page { break }
            usleep(10_000)
        }
        return resident
    }

    static func residentPages(fd: Int32, offset: Int, length: Int) -> Int? {
        var size = stat()
        guard fstat(fd, &size) == 0, Int(size.st_size) >= offset + length else { return nil }
        guard let map = mmap(nil, offset + length, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else { return nil }
        defer { munmap(map, offset + length) }
        var vector = [UInt8](repeating: 0, count: length / page)
        guard mincore(map + offset, length, &vector) == 0 else { return nil }
        return vector.filter { $0 & 1 == 1 }.count
    }
}
