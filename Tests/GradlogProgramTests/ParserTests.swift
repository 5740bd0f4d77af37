import Testing
@testable import GradlogAutodiff
@testable import GradlogProgram

@Suite struct ParserTests {
    func value(of name: String, in source: String) throws -> Double {
        let program = try Program(source: source, file: "t.grad")
        let c = program.computation
        let node = try #require(c.names.all.lastIndex(of: name))
        return c.tape.values[node]
    }

    @Test func precedenceAndAssociativity() throws {
        #expect(try value(of: "r", in: "input x = 3\nr = -x^2") == -9)          // -(x^2)
        #expect(try value(of: "r", in: "r = 2^3^2") == 512)                     // 2^(3^2)
        #expect(try value(of: "r", in: "r = 1 + 2 * 3 - 4 / 2") == 5)
        #expect(try value(of: "r", in: "r = (1 + 2) * 3") == 9)
        #expect(try value(of: "r", in: "r = 2 ^ -1") == 0.5)
        #expect(try value(of: "r", in: "r = - - 3") == 3)
        #expect(try value(of: "r", in: "r = 10 - 4 - 3") == 3)                  // left-assoc
    }

    @Test func numbersInDecimalAndExponentForms() throws {
        #expect(try value(of: "r", in: "r = 1.5e3 + .5 + 3. + 2E-1") == 1500 + 0.5 + 3 + 0.2)
        #expect(try value(of: "r", in: "r = 5e-324") == 5e-324)
    }

    @Test func commentsBlankLinesAndDottedNames() throws {
        let source = "# header\n\ninput layer.w_1 = 2  # weight\n  out = layer.w_1 * 4\n"
        #expect(try value(of: "out", in: source) == 8)
    }

    /// `c = c + 1` makes a new node that also bears the name c.
    @Test func reassignmentMakesANewNode() throws {
        let program = try Program(source: "input c = 1\nc = c + 1\nc = c * 10", file: "t.grad")
        let c = program.computation
        #expect(c.names.all.filter { $0 == "c" }.count == 3)
        #expect(c.tape.values[Int(c.output)] == 20)
    }

    /// Names ending in a number live in dense arrays, others in a hash table (NameTable): both
    /// stores, rebinding in each, and names that must stay apart (`v7`, `v07`).
    @Test func numberedAndOtherNamesResolve() throws {
        let source = """
            input v1 = 2
            v07 = 3
            v7 = 5
            v1000000000 = 7
            v99999 = 11
            v2 = v1 * v07
            v2 = v2 + v7
            v99999 = v99999 + 1
            w = v1000000000 + v99999
            x.0 = 1
            x.0 = x.0 + w
            out = v2 * x.0
            """
        #expect(try value(of: "v2", in: source) == 11)
        #expect(try value(of: "w", in: source) == 19)
        #expect(try value(of: "out", in: source) == 220)
        #expect(throws: ProgramError.self) { try Program(source: source + "\nbad = v3", file: "t.grad") }
        #expect(throws: ProgramError.self) { try Program(source: source + "\nbad = v8", file: "t.grad") }
    }

    @Test func outputStatementChoosesTheOutput() throws {
        let program = try Program(source: "input x = 2\na = x * 3\nb = a + 1\noutput a", file: "t.grad")
        #expect(program.computation.names[Int(program.computation.output)] == "a")
    }

    @Test func everyNodeRecordsItsLine() throws {
        let program = try Program(source: "input x = 2\n\ny = exp(-x) + 1", file: "t.grad")
        let c = program.computation
        #expect(c.lines == [1, 3, 3, 3, 3])  // x, neg, exp, const 1, add
    }

    /// A literal exponent compiles to powc, so a negative base cannot create a NaN.
    @Test func literalExponentIsConstant() throws {
        let program = try Program(source: "input x = -3\ny = x ^ 2\nz = pow(x, 2)", file: "t.grad")
        let c = program.computation
        #expect(c.tape.ops.filter { $0 == .powc }.count == 2)
        #expect(!c.tape.derivative1.enumerated().contains { i, d in c.tape.ops[i] == .powc && d.isNaN })
    }

    @Test func setChangesInputsAndRejectsUnknownNames() throws {
        let program = try Program(source: "input x = 2\ny = x * x", file: "t.grad")
        #expect(try program.computation(setting: ["x": 5]).tape.values.last == 25)
        #expect(throws: UnknownInputs(names: ["z"], inputs: ["x"])) {
            try program.computation(setting: ["z": 1])
        }
    }

    struct BadProgram: Sendable, CustomTestStringConvertible {
        var source: String
        var line: Int
        var column: Int
        var fragment: String
        var testDescription: String { fragment }
    }

    static let badPrograms: [BadProgram] = [
        .init(source: "input x = 1\ny = x +", line: 2, column: 8, fragment: "expected an expression"),
        .init(source: "y = foo(1)", line: 1, column: 5, fragment: "unknown function 'foo'"),
        .init(source: "y = exp(1, 2)", line: 1, column: 5, fragment: "exp takes 1 argument, got 2"),
        .init(source: "y = pow(1)", line: 1, column: 5, fragment: "pow takes 2 arguments, got 1"),
        .init(source: "input x = 1\ny = x * z", line: 2, column: 9, fragment: "'z' is not defined"),
        .init(source: "input x = 1\ninput x = 2", line: 2, column: 7, fragment: "declared twice"),
        .init(source: "y = 1.2.3", line: 1, column: 5, fragment: "'1.2.3' is not a number"),
        .init(source: "y = 1e", line: 1, column: 5, fragment: "'1e' is not a number"),
        .init(source: "# nothing\n\n", line: 1, column: 1, fragment: "no statements"),
        .init(source: "", line: 1, column: 1, fragment: "no statements"),
        .init(source: "y = (1 + 2", line: 1, column: 11, fragment: "expected ')'"),
        .init(source: "y = 1 2", line: 1, column: 7, fragment: "expected the end of the statement"),
        .init(source: "input x = abc", line: 1, column: 11, fragment: "expected a number"),
        .init(source: "y = 3 $ 4", line: 1, column: 7, fragment: "unexpected '$'"),
        .init(source: "output q", line: 1, column: 8, fragment: "'q' is not defined"),
        .init(source: "y = 1\noutput y\noutput y", line: 3, column: 8, fragment: "declared twice"),
        .init(source: "input x = 1", line: 1, column: 1, fragment: "no assignment"),
        .init(source: "y = " + String(repeating: "(", count: 5000) + "1", line: 1, column: 261, fragment: "nests more than 256"),
    ]

    @Test(arguments: badPrograms)
    func badProgramsAreLocated(_ bad: BadProgram) {
        do {
            _ = try Program(source: bad.source, file: "bad.grad")
            Issue.record("expected an error containing \(bad.fragment)")
        } catch {
            #expect(error.file == "bad.grad")
            #expect(error.line == bad.line, "\(error)")
            #expect(error.column == bad.column, "\(error)")
            #expect(error.message.contains(bad.fragment), "\(error)")
        }
    }

    @Test func diagnosticShowsTheLineAndACaret() throws {
        let error = #expect(throws: ProgramError.self) { try Program(source: "input x = 1\ny = x + * 2", file: "p.grad") }
        #expect(error?.description == "p.grad:2:9: error: expected an expression, found '*'\n    y = x + * 2\n            ^")
    }
}
