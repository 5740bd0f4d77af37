extension GradLog {
    /// The picture of run `run` (or the part of it `scope` asks for), optionally compared with
    /// run `other.run` of `other.log` under `other.rule`.
    ///
    /// Reads the graph's wiring (a few bytes a node), picks the nodes to draw, then reads the
    /// numbers of those nodes only. A comparison runs a whole `RunDiff` with every node listed,
    /// which on runs of millions of nodes takes seconds.
    public func graphPicture(
        run: Int64, scope: GraphPictureScope = GraphPictureScope(),
        comparedWith other: (run: Int64, log: GradLog, rule: ComparisonRule)? = nil
    ) throws -> GraphPicture {
        let graphA = try RunGraph(run: run, in: self)
        var names: [String: Int32] = [:]
        let structureA = try GraphStructure(run: run, graph: graphA.graph, nodeCount: graphA.nodeCount, in: self, names: &names)
        var union = UnionGraph(a: structureA)
        var diff: RunDiffResult?
        if let other {
            let result = try RunDiff(rule: other.rule, limit: nil, includeEqual: true)
                .compare(run: run, in: self, with: other.run, in: other.log)
            let graphB = try RunGraph(run: other.run, in: other.log)
            let structureB = try GraphStructure(
                run: other.run, graph: graphB.graph, nodeCount: graphB.nodeCount, in: other.log, names: &names)
            union = UnionGraph(a: structureA, b: structureB, pairs: result.nodes.map { ($0.a?.id, $0.b?.id) })
            diff = result
        }

        var selected: [Int]
        if let around = scope.around {
            let centre = try union.node(named: around, names: names) ?? { throw GraphPictureError.noSuchNode(name: around, run: run) }()
            selected = union.neighbourhood(of: centre, depth: scope.depth)
        } else {
            selected = Array(0..<union.count)
        }
        guard selected.count <= scope.maxNodes else {
            throw GraphPictureError.tooManyNodes(
                count: selected.count, limit: scope.maxNodes, run: run, around: scope.around, depth: scope.depth)
        }

        var position = [Int32](repeating: -1, count: union.count)
        for (index, key) in selected.enumerated() { position[key] = Int32(index) }
        var nodes: [GraphPicture.Node] = []
        var recordedA: [Int: RecordedNode] = [:], recordedB: [Int: RecordedNode] = [:]
        for key in selected {
            let a = union.idA[key] >= 0 ? try node(run: run, id: Int64(union.idA[key])) : nil
            // B's row is read for a node only B has, and for a tensor both have: RunDiff
            // compares scalars, so the tensor's elements are compared here.
            let b = union.idB[key] >= 0 && (a == nil || a?.tensor != nil)
                ? try other!.log.node(run: other!.run, id: Int64(union.idB[key])) : nil
            let recorded = try a ?? b ?? { throw ChangedFileError(path: path, run: run, node: Int64(union.idA[key]), "its row is missing") }()
            recordedA[key] = a
            recordedB[key] = a == nil ? b : nil
            var comparison = diff?.nodes[key]
            if let a, let b, let rule = other?.rule, a.tensor != nil || b.tensor != nil {
                comparison = comparison.flatMap { Self.compareTensors($0, a, b, rule) }
            }
            nodes.append(GraphPicture.Node(
                idA: a.map(\.id), idB: union.idB[key] >= 0 ? Int64(union.idB[key]) : nil,
                name: recorded.name, op: recorded.op, line: recorded.line, value: recorded.value, grad: recorded.grad,
                tensor: recorded.tensor.map(GraphPicture.Tensor.init),
                comparison: comparison, tensorB: a == nil ? nil : b?.tensor.map(GraphPicture.Tensor.init), isCut: false))
        }

        var edges: [GraphPicture.Edge] = []
        for edge in union.edges {
            let from = Int(position[Int(edge.from)]), to = Int(position[Int(edge.to)])
            guard from >= 0, to >= 0 else {
                if from >= 0 { nodes[from].isCut = true }
                if to >= 0 { nodes[to].isCut = true }
                continue
            }
            // Local derivatives of an edge A has come from A; of one only B has, from B.
            let owner = edge.inA ? recordedA[Int(edge.to)] : try recordedB[Int(edge.to)]
                ?? other!.log.node(run: other!.run, id: Int64(union.idB[Int(edge.to)]))
            let slot = Int(edge.slot)
            edges.append(GraphPicture.Edge(
                from: from, to: to, localGrad: owner.flatMap { slot < $0.localGrads.count ? $0.localGrads[slot] : nil },
                stored: owner.flatMap { Self.stored(slot: slot, of: $0, input: nodes[from]) },
                presence: edge.inA ? (edge.inB || diff == nil ? .identical : .onlyInA) : .onlyInB))
        }

        func drawn(_ node: NodeDifference?) -> Int? {
            guard let node else { return nil }
            let key = node.a.map { union.keyOfA[Int($0.id)] } ?? node.b.map { union.keyOfB[Int($0.id)] } ?? -1
            return key >= 0 && position[Int(key)] >= 0 ? Int(position[Int(key)]) : nil
        }
        return GraphPicture(
            nodes: nodes, edges: edges,
            firstValueDivergence: drawn(diff?.firstValueDivergence), firstGradDivergence: drawn(diff?.firstGradDivergence),
            totalNodes: union.count)
    }

    /// The tensor stored on input `slot` of `node`, summarised; nil for a scalar edge.
    private static func stored(slot: Int, of node: RecordedNode, input: GraphPicture.Node) -> GraphPicture.Stored? {
        guard slot < node.stored.count, let elements = node.stored[slot] else { return nil }
        let isContribution = node.op.kind == .contribution
        let shape = (isContribution ? input.tensor?.shape : node.tensor?.shape) ?? Shape([elements.count])
        return GraphPicture.Stored(isContribution: isContribution, shape: shape, statistics: TensorStatistics(elements))
    }

    /// A node that is a tensor in A or B, judged element by element under `rule`: its value's
    /// and adjoint's verdicts are their worst element's; a changed shape is different. Nil
    /// (not compared) when a run kept only the statistics.
    private static func compareTensors(
        _ difference: NodeDifference, _ a: RecordedNode, _ b: RecordedNode, _ rule: ComparisonRule
    ) -> NodeDifference? {
        var difference = difference
        func verdict(_ x: [Double], _ y: [Double]) -> Verdict {
            var worst = Verdict.identical
            for i in x.indices where worst != .different { worst = max(worst, rule.verdict(x[i], y[i])) }
            return worst
        }
        guard let ta = a.tensor, let tb = b.tensor, ta.shape == tb.shape else {
            difference.value.verdict = .different
            return difference
        }
        guard let valueA = ta.value, let valueB = tb.value else { return nil }
        let value = verdict(valueA, valueB)
        let grad: Verdict
        switch (ta.gradStatistics, tb.gradStatistics) {
        case (nil, nil): grad = .identical
        case (nil, _), (_, nil): grad = .different
        default:
            guard let gradA = ta.grad, let gradB = tb.grad else { return nil }
            grad = verdict(gradA, gradB)
        }
        difference.value.verdict = value
        difference.grad.verdict = grad
        return difference
    }
}
