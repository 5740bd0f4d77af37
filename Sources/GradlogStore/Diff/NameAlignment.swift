/// Which node of B is which node of A when the two runs come from different programs.
///
/// - A named node is matched by name and occurrence: the k-th node named `c` in A with the k-th
///   node named `c` in B (a reassigned name, `c = c + 1`, names several nodes).
/// - An unnamed intermediate belongs to the statement whose named node follows it: the unnamed
///   nodes between two named nodes are that statement's segment. The segments of two matched
///   named nodes are matched from the start while their ops agree, then from the end while
///   they agree; if as many nodes are left on both sides, they are matched in order as nodes
///   whose op changed. Unnamed nodes after the last named node form one trailing segment.
/// - What is left is only in A or only in B; so are named nodes without a namesake.
///
/// So `den = sigx + xpysqr` against `den = sigx + xpysqr + 1e-9` matches `den` with `den` and
/// leaves B's inner add and its constant only in B.
struct NameAlignment {
    /// Per node of A: the matching node of B, or -1.
    private(set) var aToB: [Int32]
    /// Per node of B: the matching node of A, or -1.
    private(set) var bToA: [Int32]

    init(_ a: GraphStructure, _ b: GraphStructure, nameCount: Int) {
        aToB = Array(repeating: -1, count: a.count)
        bToA = Array(repeating: -1, count: b.count)

        // B's named nodes by (name, occurrence).
        var occurrences = Array(repeating: Int32(0), count: nameCount)
        var namedInB: [UInt64: Int32] = [:]
        for node in 0..<b.count where b.nameKeys[node] >= 0 {
            let key = b.nameKeys[node]
            namedInB[Self.key(key, occurrences[Int(key)])] = Int32(node)
            occurrences[Int(key)] += 1
        }

        occurrences = Array(repeating: 0, count: nameCount)
        var lastNamedA = -1
        for node in 0..<a.count where a.nameKeys[node] >= 0 {
            let key = a.nameKeys[node]
            defer {
                occurrences[Int(key)] += 1
                lastNamedA = node
            }
            guard let match = namedInB[Self.key(key, occurrences[Int(key)])].map(Int.init) else { continue }
            pair(node, match)
            var segmentStartB = match
            while segmentStartB > 0 && b.nameKeys[segmentStartB - 1] < 0 { segmentStartB -= 1 }
            alignSegment(a, (lastNamedA + 1)..<node, b, segmentStartB..<match)
        }
        let lastNamedB = b.nameKeys.lastIndex { $0 >= 0 } ?? -1
        alignSegment(a, (lastNamedA + 1)..<a.count, b, (lastNamedB + 1)..<b.count)
    }

    private static func key(_ name: Int32, _ occurrence: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: name)) << 32 | UInt64(UInt32(bitPattern: occurrence))
    }

    private mutating func pair(_ nodeA: Int, _ nodeB: Int) {
        aToB[nodeA] = Int32(nodeB)
        bToA[nodeB] = Int32(nodeA)
    }

    /// Matches two statements' unnamed nodes from the front, then from the back, while ops agree.
    private mutating func alignSegment(_ a: GraphStructure, _ segmentA: Range<Int>, _ b: GraphStructure, _ segmentB: Range<Int>) {
        var front = 0
        while front < segmentA.count && front < segmentB.count
            && a.ops[segmentA.lowerBound + front] == b.ops[segmentB.lowerBound + front] {
            pair(segmentA.lowerBound + front, segmentB.lowerBound + front)
            front += 1
        }
        var back = 1
        while back <= segmentA.count - front && back <= segmentB.count - front
            && a.ops[segmentA.upperBound - back] == b.ops[segmentB.upperBound - back] {
            pair(segmentA.upperBound - back, segmentB.upperBound - back)
            back += 1
        }
        // What is left in between, if as long on both sides, is the same nodes with changed ops.
        let middleA = (segmentA.lowerBound + front)..<(segmentA.upperBound - back + 1)
        let middleB = (segmentB.lowerBound + front)..<(segmentB.upperBound - back + 1)
        if middleA.count == middleB.count {
            for (nodeA, nodeB) in zip(middleA, middleB) { pair(nodeA, nodeB) }
        }
    }
}
