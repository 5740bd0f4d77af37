import GradlogAutodiff

/// Maps names, as byte ranges of the source, to a node id (or any Int32); `NameTable` uses it
/// for the names it does not keep in dense arrays, and for their prefixes.
///
/// Open addressing over a power-of-two slot array; keys are never copied out of the source, so a
/// lookup costs a hash of a few bytes and one comparison, with no `String` made.
struct SymbolTable {
    private struct Entry {
        var start: Int32
        var length: Int32
        var node: NodeID
    }

    private let source: UnsafeBufferPointer<UInt8>
    private var entries: [Entry] = []
    /// Index into `entries`, or -1 for an empty slot.
    private var slots: [Int32]

    init(source: UnsafeBufferPointer<UInt8>) {
        self.source = source
        slots = [Int32](repeating: -1, count: 64)
    }

    func lookup(_ range: Range<Int>) -> NodeID? {
        let slot = find(range, hash: Self.hash(source, range))
        let index = slots[slot]
        return index < 0 ? nil : entries[Int(index)].node
    }

    /// Binds a name to a node, replacing any earlier binding.
    mutating func bind(_ range: Range<Int>, to node: NodeID) {
        let slot = find(range, hash: Self.hash(source, range))
        if slots[slot] >= 0 {
            entries[Int(slots[slot])].node = node
            return
        }
        slots[slot] = Int32(entries.count)
        entries.append(Entry(start: Int32(range.lowerBound), length: Int32(range.count), node: node))
        if entries.count * 2 > slots.count { grow() }
    }

    /// The slot holding `range`'s entry, or the empty slot where it would go.
    private func find(_ range: Range<Int>, hash: Int) -> Int {
        let mask = slots.count - 1
        var slot = hash & mask
        while true {
            let index = slots[slot]
            if index < 0 { return slot }
            let entry = entries[Int(index)]
            if Int(entry.length) == range.count && Self.equal(source, Int(entry.start), range) { return slot }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (i, entry) in entries.enumerated() {
            let range = Int(entry.start)..<Int(entry.start + entry.length)
            var slot = Self.hash(source, range) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(i)
        }
    }

    /// FNV-1a over the name's bytes, with a final mix so that names differing only in their last
    /// digits spread across the table.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in range { h = (h ^ UInt64(bytes[i])) &* 0x100_0000_01b3 }
        h ^= h >> 29
        h = h &* 0xbf58_476d_1ce4_e5b9
        h ^= h >> 32
        return Int(truncatingIfNeeded: h)
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ range: Range<Int>) -> Bool {
        var a = start
        for b in range {
            if bytes[a] != bytes[b] { return false }
            a += 1
        }
        return true
    }
}
