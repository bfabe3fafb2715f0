import Foundation
import Synchronization
import Testing
import SystemIO

/// The prefetch `import` parses ahead with: batches come in the order made,
/// the producer runs at most `depth` batches ahead of the consumer, and an
/// error comes after the batches made before it, once.
@Suite struct BatchPrefetchTests {
    @Test(arguments: [1, 4])
    func batchesComeInOrderAndTheProducerStaysAtMostDepthAhead(depth: Int) throws {
        let produced = Atomic<Int>(0)
        var next = 0
        let prefetch = BatchPrefetch<Int>(depth: depth) {
            guard next < 20 else { return nil }
            next += 1
            produced.add(1, ordering: .sequentiallyConsistent)
            return next
        }
        defer { prefetch.stop() }
        var taken = [try #require(try prefetch.next())]
        // With one batch taken, the producer fills the `depth` places and makes one more, which waits for room.
        let deadline = Date().addingTimeInterval(5)
        while produced.load(ordering: .sequentiallyConsistent) < depth + 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
        #expect(produced.load(ordering: .sequentiallyConsistent) == depth + 2)
        while let batch = try prefetch.next() {
            taken.append(batch)
            // Give the producer time to run ahead as far as it may.
            Thread.sleep(forTimeInterval: 0.01)
            // Taken, waiting (at most `depth`), and the one `produce` returned that waits for room.
            #expect(produced.load(ordering: .sequentiallyConsistent) <= min(20, taken.count + depth + 1))
        }
        #expect(taken == Array(1...20))
        #expect(try prefetch.next() == nil)
    }

    /// A recycling producer is handed back batches the consumer is done
    /// with, each once and in the order handed back: never one the
    /// consumer still holds.
    @Test func aRecyclingProducerIsHandedTheBatchesDoneWith() throws {
        final class Batch: Sendable {
            let number: Int
            init(_ number: Int) { self.number = number }
        }
        let handedBack = Mutex<[Int]>([])
        let recycled = Mutex<[Int]>([])
        let strays = Atomic<Int>(0)
        var next = 0
        let prefetch = BatchPrefetch<Batch>(depth: 2, recycling: { spare in
            if let spare {
                if !handedBack.withLock({ $0.contains(spare.number) }) { strays.add(1, ordering: .sequentiallyConsistent) }
                recycled.withLock { $0.append(spare.number) }
            }
            guard next < 30 else { return nil }
            next += 1
            return Batch(next)
        })
        defer { prefetch.stop() }
        var taken: [Int] = []
        while let batch = try prefetch.next() {
            taken.append(batch.number)
            // The producer fills its places and waits for room.
            Thread.sleep(forTimeInterval: 0.005)
            handedBack.withLock { $0.append(batch.number) }
            prefetch.dispose(batch)
        }
        #expect(taken == Array(1...30))
        #expect(strays.load(ordering: .sequentiallyConsistent) == 0)
        let numbers = recycled.withLock { $0 }
        #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count)
        #expect(numbers.count >= 15, "\(numbers)")
    }

    @Test func anErrorComesAfterTheBatchesBeforeItAndOnce() throws {
        struct Broken: Error {}
        var next = 0
        let prefetch = BatchPrefetch<Int>(depth: 4) {
            next += 1
            if next == 3 { throw Broken() }
            return next
        }
        defer { prefetch.stop() }
        #expect(try prefetch.next() == 1)
        #expect(try prefetch.next() == 2)
        #expect(throws: Broken.self) { try prefetch.next() }
        #expect(try prefetch.next() == nil)
    }
}
