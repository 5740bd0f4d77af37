import Foundation
import Testing
@testable import GradlogAutodiff
@testable import GradlogProgram

/// The tensor side of the .grad language: leaves, literals, initialisers, the new functions and
/// operators, and the errors a person can make with them.
@Suite struct TensorProgramTests {
    @Test func literalsAndInitializersMakeLeavesOfTheirShape() throws {
        let program = try Program(source: """
            input a = [[1, 2, 3], [4, 5, 6]]
            input b = zeros([3])
            data c = ones([2, 1])
            input d = uniform(-1, 1, [4, 2])
            input e = normal(0, 2, [5])
            input f = -2.5
            g = sum(a + b + c) + sum(d) + sum(e) + f
            """)
        let c = program.computation
        let shapes = (0..<6).map { c.tape.shape(NodeID($0)).dims }
        #expect(shapes == [[2, 3], [3], [2, 1], [4, 2], [5], []])
        #expect(Array(c.tape.elements(0)) == [1, 2, 3, 4, 5, 6])
        #expect(Array(c.tape.elements(2)) == [1, 1])
        #expect(c.tape.elements(3).allSatisfy { $0 >= -1 && $0 < 1 })
        #expect(c.inputs.map(\.name) == ["a", "b", "d", "e", "f"], "data leaves are not inputs")
        #expect(!c.tape.requiresGrad(NodeID(2)))
    }

    /// xoshiro256** seeded through splitmix64, as published by Blackman and Vigna; the expected
    /// values come from an independent Python implementation of the two generators.
    @Test func theSeededGeneratorGivesTheReferenceBits() {
        var random = RandomSource(seed: 0)
        #expect([random.next(), random.next(), random.next()] == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
        var seven = RandomSource(seed: 7)
        #expect(seven.uniform(-1, 1, count: 3) == [0.4011529643593792, -0.44249754105243144, 0.6792549237528396])
        let a = try? Program(source: "input w = normal(0, 1, [3])\nf = sum(w)", seed: 3)
        let b = try? Program(source: "input w = normal(0, 1, [3])\nf = sum(w)", seed: 3)
        let other = try? Program(source: "input w = normal(0, 1, [3])\nf = sum(w)", seed: 4)
        #expect(a?.computation.tape.values == b?.computation.tape.values)
        #expect(a?.computation.tape.values != other?.computation.tape.values)
    }

    /// Within 4 ULPs of the C library's log (which is itself not guaranteed to be correctly
    /// rounded; the portable one is used because it gives the same bits everywhere).
    @Test func portableLogAgreesWithTheCLibrary() {
        for x in stride(from: 0.001, to: 1, by: 0.0137) {
            let reference = Foundation.log(x)
            #expect(abs(RandomSource.portableLog(x) - reference) <= 4 * reference.ulp, "log(\(x))")
        }
    }

    @Test func normalDrawsHaveTheirMeanAndDeviation() {
        var random = RandomSource(seed: 11)
        let draws = random.normal(mean: 3, deviation: 2, count: 20000)
        let mean = draws.reduce(0, +) / 20000
        let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20000
        #expect(abs(mean - 3) < 0.05 && abs(variance.squareRoot() - 2) < 0.05)
    }

    @Test func functionsOperatorsAndComparisons() throws {
        let program = try Program(source: """
            input x = [[1, -2], [3, 4]]
            data labels = [1, 0]
            m = x @ transpose(x)
            s = softmax(m, -1) + log_softmax(m, 0) + reshape(logsumexp(m, 1), [2, 1])
            r = reshape(x, [-1])
            k = mean(x, 0) + sum(x, -1)
            acc = mean((x > 0) + (x <= -2) + (x == 4) + (x < 0) + (x >= 3))
            loss = cross_entropy(m, labels) + sum(s) + sum(r) + sum(k) + acc
            """)
        let c = program.computation
        #expect(c.tape.elementCount(c.output) == 1)
        let m = c.tape.ops.firstIndex(of: .matmul)!
        #expect(Array(c.tape.elements(NodeID(m))) == [5, -5, -5, 25])
        let acc = Array(c.tape.ops.indices).last { c.names[$0] == "acc" }!
        #expect(c.tape.scalar(NodeID(acc)) == (3 + 1 + 1 + 1 + 2) / 4.0)
    }

    @Test func setRefusesATensorInputByName() throws {
        let program = try Program(source: "input w = [1, 2]\ninput s = 3\nf = sum(w) * s")
        #expect(throws: UnknownInputs.self) { _ = try program.computation(setting: ["w": 1]) }
        do {
            _ = try program.computation(setting: ["w": 1])
        } catch {
            #expect(error.description.hasPrefix("'w' is a tensor input; --set sets scalar inputs only"))
        }
        #expect(try program.computation(setting: ["s": 2]).tape.scalar(program.computation.output) == 6)
    }

    @Test func anAliasIsANodeThatBearsTheName() throws {
        let program = try Program(source: "input x = 3\ny = x * 2\nloss = y\noutput loss")
        let c = program.computation
        #expect(c.names[Int(c.output)] == "loss")
        #expect(c.tape.ops[Int(c.output)] == .identity)
        #expect(c.backward()[0] == 2)
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        var source: String
        var line: Int
        var column: Int
        var fragment: String
        var testDescription: String { fragment }
    }

    static let bad: [Bad] = [
        .init(source: "input a = [[1, 2], [3]]\nf = sum(a)", line: 1, column: 20, fragment: "this element has shape [1] but the first element of its list has shape [2]"),
        .init(source: "input a = zeros([2, 0])\nf = sum(a)", line: 1, column: 17, fragment: "a dimension of 0 in [2, 0]"),
        .init(source: "input a = zeros([100000, 100000])\nf = sum(a)", line: 1, column: 17, fragment: "holds more than 100000000 elements"),
        .init(source: "input a = ones([2, 3])\ninput b = ones([4])\nf = sum(a + b)", line: 3, column: 11, fragment: "add: shapes [2, 3] and [4] do not broadcast"),
        .init(source: "input a = ones([2, 3])\nf = sum(a @ a)", line: 2, column: 11, fragment: "matmul: inner dimensions differ in [2, 3] @ [2, 3] (3 vs 2)"),
        .init(source: "input a = ones([2, 3])\nf = sum(a, 2)", line: 2, column: 5, fragment: "sum: axis 2 is out of range for shape [2, 3]"),
        .init(source: "input a = ones([2, 3])\nf = a * 2", line: 2, column: 1, fragment: "the output 'f' has shape [2, 3]; it must hold one element"),
        .init(source: "input a = ones([2, 3])\ndata l = [0, 3]\nf = cross_entropy(a, l)", line: 3, column: 5, fragment: "label 3.0 in row 1 is not a class index from 0 to 2"),
        .init(source: "input a = ones([2, 3])\ninput l = [0, 1]\nf = cross_entropy(a, l)", line: 3, column: 5, fragment: "declare them with 'data'"),
        .init(source: "input a = csv(\"missing.csv\")\nf = sum(a)", line: 1, column: 11, fragment: "missing.csv"),
        .init(source: "input a = load(\"missing.safetensors\")\nf = sum(a)", line: 1, column: 11, fragment: "load takes a file and one key"),
        .init(source: "input a = ones([2])\nf = softmax(a)", line: 2, column: 14, fragment: "expected ',' and the axis of softmax"),
        .init(source: "input a = ones([2])\nf = sum(reshape(a, [3]))", line: 2, column: 9, fragment: "reshape: cannot reshape [2] (2 elements) to [3]"),
        .init(source: "f = zeros([2])", line: 1, column: 5, fragment: "zeros(...) makes the value of a leaf"),
        .init(source: "input a = \"file\n", line: 1, column: 11, fragment: "this string has no closing"),
        .init(source: "input a = uniform(0, 1)\n", line: 1, column: 23, fragment: "expected ',' and the shape in uniform(LOW, HIGH, [d0, d1, ...])"),
        .init(source: "input a = ones([20000, 1])\ninput b = ones([1, 20000])\nf = sum(a + b)", line: 3, column: 11, fragment: "add: [20000, 20000] holds more than 100000000 elements"),
    ]

    @Test(arguments: bad)
    func badTensorProgramsAreLocated(_ bad: Bad) {
        do {
            _ = try Program(source: bad.source, file: "bad.grad")
            Issue.record("parsed: \(bad.source)")
        } catch {
            #expect(error.line == bad.line)
            #expect(error.column == bad.column)
            #expect(error.message.contains(bad.fragment), "\(error.message)")
        }
    }

    @Test func limitsOnElementsAreKept() {
        var initializers = Initializers()
        initializers.maximumElements = 10
        initializers.maximumTotalElements = 25
        initializers.readsFiles = false
        for (source, fragment) in [
            ("input a = zeros([11])\nf = sum(a)", "holds more than 10 elements"),
            ("input a = zeros([10])\ninput b = zeros([10])\nc = a + b\nf = sum(c)", "more than 25 elements in all"),
            ("data a = csv(\"x.csv\")\nf = sum(a)", "may not read files"),
        ] {
            #expect(throws: ProgramError.self) { try Program(source: source, initializers: initializers) }
            do {
                _ = try Program(source: source, initializers: initializers)
            } catch {
                #expect(error.message.contains(fragment), "\(error.message)")
            }
        }
    }

    @Test func csvAndSafetensorsLeavesReadTheirFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gradlog-tensor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "a,b,c\n1,2,3\n4,5,6\n".write(to: folder.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        let program = try Program(source: """
            data all = csv("t.csv")
            data cb = csv("t.csv", "c", "b")
            data a = csv("t.csv", "a")
            input w = [1, 1, 1]
            f = sum(all @ w) + sum(cb) + sum(a)
            """, file: folder.appendingPathComponent("p.grad").path)
        let t = program.computation.tape
        #expect(t.shape(0).dims == [2, 3] && Array(t.elements(0)) == [1, 2, 3, 4, 5, 6])
        #expect(t.shape(1).dims == [2, 2] && Array(t.elements(1)) == [3, 2, 6, 5])
        #expect(t.shape(2).dims == [2] && Array(t.elements(2)) == [1, 4])
        do {
            _ = try Program(source: "data a = csv(\"t.csv\", \"z\")\nf = sum(a)", file: folder.appendingPathComponent("p.grad").path)
            Issue.record("a missing column was accepted")
        } catch {
            #expect(error.message.contains("z"), "\(error.message)")
        }
    }
}
