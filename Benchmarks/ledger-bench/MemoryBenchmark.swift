/// Memory of the import: peak RSS (VmHWM) after it and how much the RSS grew
/// while it ran, against the RSS just before it.
enum MemoryBenchmark {
    static let growthGoal = 200 * 1_048_576

    static func figure(_ result: AppendBenchmark.Import) -> Figure {
        let before = result.memoryBefore
        let after = result.memoryAfter
        // Without the reset, VmHWM may be an earlier peak (the generator's); the
        // growth is then an upper bound.
        let growth = max(0, after.peak - before.resident)
        let anonymousGrowth = after.anonymous - before.anonymous
        var notes = [
            "file-backed RSS is pages of LMDB's memory map (it grows with the ledger, and the kernel can drop it); anonymous RSS is the heap; the largest values are sampled between batches",
        ]
        if !result.peakWasReset {
            notes.append("could not reset VmHWM through /proc/self/clear_refs: the peak may predate the import")
        }
        return Figure(
            name: "memory",
            subject: Side(label: "peak RSS (VmHWM) after the import",
                          values: [Value("peakRSSBytes", Double(after.peak), .bytes)]),
            baseline: Side(label: "RSS just before the import",
                           values: [Value("rssBytes", Double(before.resident), .bytes)]),
            comparison: Value("growthBytes", Double(growth), .bytes),
            comparisonLabel: "growth during import",
            goal: "flat, ≤ 200 MB",
            met: growth <= growthGoal,
            notes: notes,
            details: [Value("anonymousLargestBytes", Double(result.largestAnonymous), .bytes),
                      Value("fileBackedLargestBytes", Double(result.largestFileBacked), .bytes),
                      Value("anonymousGrowthBytes", Double(anonymousGrowth), .bytes),
                      Value("anonymousAfterBytes", Double(after.anonymous), .bytes),
                      Value("fileBackedAfterBytes", Double(after.fileBacked), .bytes)])
    }
}
