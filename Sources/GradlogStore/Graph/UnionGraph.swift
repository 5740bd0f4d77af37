/// The wiring of one run's graph, or of two aligned runs' graphs together, compactly: union
/// keys in drawing order, each node's id in A and in B, and every edge with the runs that have
/// it. What `graphPicture` selects from before it reads any numbers.
struct UnionGraph {
    struct Edge {
        var from: Int32
        var to: Int32
        var slot: UInt8
        var inA: Bool
        var inB: Bool
    }

    /// Per union key: the node's id in A or B, -1 when that run does not have it.
    private(set) var idA: [Int32] = []
    private(set) var idB: [Int32] = []
    /// Per node of A (of B): its union key, -1 if unaligned.
    private(set) var keyOfA: [Int32] = []
    private(set) var keyOfB: [Int32] = []
    private(set) var edges: [Edge] = []
    private let structureA: GraphStructure
    private let structureB: GraphStructure?

    var count: Int { idA.count }

    /// One run: the keys are A's node ids.
    init(a: GraphStructure) {
        structureA = a
        structureB = nil
        idA = (0..<Int32(a.count)).map { $0 }
        idB = [Int32](repeating: -1, count: a.count)
        keyOfA = idA
        for node in 0..<a.count {
            if a.input0[node] >= 0 { edges.append(Edge(from: a.input0[node], to: Int32(node), slot: 0, inA: true, inB: false)) }
            if a.input1[node] >= 0 { edges.append(Edge(from: a.input1[node], to: Int32(node), slot: 1, inA: true, inB: false)) }
        }
    }

    /// Two runs aligned by a diff: `pairs` lists the union's nodes in order as (id in A, id in B).
    init(a: GraphStructure, b: GraphStructure, pairs: [(Int64?, Int64?)]) {
        structureA = a
        structureB = b
        keyOfA = [Int32](repeating: -1, count: a.count)
        keyOfB = [Int32](repeating: -1, count: b.count)
        for (key, pair) in pairs.enumerated() {
            idA.append(pair.0.map { Int32($0) } ?? -1)
            idB.append(pair.1.map { Int32($0) } ?? -1)
            if let id = pair.0 { keyOfA[Int(id)] = Int32(key) }
            if let id = pair.1 { keyOfB[Int(id)] = Int32(key) }
        }
        for key in 0..<count {
            let inputsA = Self.inputs(idA[key], a, keyOfA)
            let inputsB = Self.inputs(idB[key], b, keyOfB)
            for (slot, from) in inputsA {
                edges.append(Edge(from: from, to: Int32(key), slot: slot, inA: true, inB: inputsB.contains { $0.key == from }))
            }
            for (slot, from) in inputsB where !inputsA.contains(where: { $0.key == from }) {
                edges.append(Edge(from: from, to: Int32(key), slot: slot, inA: false, inB: true))
            }
        }
    }

    /// A node's inputs as (slot, union key), skipping inputs that have no key.
    private static func inputs(_ id: Int32, _ structure: GraphStructure, _ keys: [Int32]) -> [(slot: UInt8, key: Int32)] {
        guard id >= 0 else { return [] }
        return [structure.input0[Int(id)], structure.input1[Int(id)]].enumerated().compactMap { slot, input in
            input >= 0 && keys[Int(input)] >= 0 ? (UInt8(slot), keys[Int(input)]) : nil
        }
    }

    /// The key of `#ID` (a node id of A), or of the last node named `name` in A, else in B.
    func node(named name: String, names: [String: Int32]) -> Int? {
        if name.hasPrefix("#"), let id = Int(name.dropFirst()) {
            return id >= 0 && id < keyOfA.count && keyOfA[id] >= 0 ? Int(keyOfA[id]) : nil
        }
        guard let nameKey = names[name] else { return nil }
        if let node = structureA.nameKeys.lastIndex(of: nameKey), keyOfA[node] >= 0 { return Int(keyOfA[node]) }
        if let b = structureB, let node = b.nameKeys.lastIndex(of: nameKey), keyOfB[node] >= 0 { return Int(keyOfB[node]) }
        return nil
    }

    /// The keys at most `depth` edges from `centre`, following edges either way, in key order.
    func neighbourhood(of centre: Int, depth: Int) -> [Int] {
        // Neighbours of every key, in compressed rows: offsets into one array.
        var offsets = [Int](repeating: 0, count: count + 1)
        for edge in edges {
            offsets[Int(edge.from) + 1] += 1
            offsets[Int(edge.to) + 1] += 1
        }
        for key in 0..<count { offsets[key + 1] += offsets[key] }
        var fill = offsets
        var neighbours = [Int32](repeating: 0, count: offsets[count])
        for edge in edges {
            neighbours[fill[Int(edge.from)]] = edge.to
            fill[Int(edge.from)] += 1
            neighbours[fill[Int(edge.to)]] = edge.from
            fill[Int(edge.to)] += 1
        }
        var reached = [Bool](repeating: false, count: count)
        reached[centre] = true
        var frontier = [centre], found = [centre]
        // Stops when nothing new is reached, so a huge depth costs no more than the graph.
        var level = 0
        while level < depth && !frontier.isEmpty {
            level += 1
            var next: [Int] = []
            for key in frontier {
                for neighbour in neighbours[offsets[key]..<offsets[key + 1]] where !reached[Int(neighbour)] {
                    reached[Int(neighbour)] = true
                    next.append(Int(neighbour))
                }
            }
            found += next
            frontier = next
        }
        return found.sorted()
    }
}
