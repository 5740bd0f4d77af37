/// Node names as UTF-8 in one buffer, with an offset and length per node: a million names cost
/// two small arrays and their bytes, not a million `String`s.
public struct NodeNames: Sendable, Equatable {
    private var utf8: [UInt8] = []
    private var start: [Int32] = []
    /// Length in bytes; -1 marks an unnamed node.
    private var length: [Int32] = []

    public init() {}

    public var count: Int { start.count }

    public mutating func reserveCapacity(_ nodes: Int, bytes: Int) {
        start.reserveCapacity(nodes)
        length.reserveCapacity(nodes)
        utf8.reserveCapacity(bytes)
    }

    public mutating func appendUnnamed() {
        start.append(0)
        length.append(-1)
    }

    public func isNamed(_ node: Int) -> Bool { length[node] >= 0 }

    /// Names a node (renaming it if it had a name).
    public mutating func setName(_ node: Int, utf8 name: UnsafeBufferPointer<UInt8>) {
        start[node] = Int32(utf8.count)
        length[node] = Int32(name.count)
        utf8.append(contentsOf: name)
    }

    public mutating func setName(_ node: Int, _ name: String) {
        var name = name
        name.withUTF8 { setName(node, utf8: $0) }
    }

    public subscript(node: Int) -> String? {
        withUTF8(node) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with a node's name bytes, or returns nil for an unnamed node.
    public func withUTF8<R>(_ node: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        let n = Int(length[node])
        guard n >= 0 else { return nil }
        return try utf8.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[Int(start[node])..<Int(start[node]) + n]))
        }
    }

    /// Calls `body` with the whole name buffer and a function giving each node's byte range in
    /// it (nil when unnamed), for writers that hand the bytes on without copying them.
    public func withNameStorage<R>(_ body: (UnsafeBufferPointer<UInt8>, (Int) -> Range<Int>?) throws -> R) rethrows -> R {
        try utf8.withUnsafeBufferPointer { all in
            try body(all) { node in
                let n = Int(length[node])
                return n < 0 ? nil : Int(start[node])..<Int(start[node]) + n
            }
        }
    }

    /// Every node's name in order, for tests and small computations.
    public var all: [String?] { (0..<count).map { self[$0] } }
}
