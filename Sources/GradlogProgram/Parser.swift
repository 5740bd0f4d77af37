#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GradlogAutodiff

/// Parses a `.grad` program and emits its nodes onto a tape as it goes, one statement a line:
///
/// ```
/// statement := ('input' | 'data') NAME '=' init | 'output' NAME | ['metric'] NAME '=' expr
/// init      := ['-'] NUMBER | literal | NAME '(' ... ')'   -- see `Initializer`
/// expr      := sum [('>' | '<' | '>=' | '<=' | '==') sum]
/// sum       := term (('+' | '-') term)*
/// term      := unary (('*' | '/' | '@') unary)*
/// unary     := '-' unary | power            -- so -x^2 is -(x^2)
/// power     := primary ['^' unary]          -- right-associative: a^b^c is a^(b^c)
/// primary   := NUMBER | literal | NAME | NAME '(' args ')' | '(' expr ')'
/// literal   := '[' (literal | ['-'] NUMBER) (',' ...)* ']'   -- nested lists, not ragged
/// ```
struct Parser {
    var lexer: Lexer
    let file: String
    var token: Token
    var builder: ProgramBuilder
    /// How deeply the expression being parsed nests (parentheses, unary minus, `^`).
    var depth = 0
    /// Deeper expressions are refused rather than risking the stack: no person writes them.
    static let maximumDepth = 256
    /// Reads `csv(...)` and `load(...)` files and draws random initial values.
    var initializers: Initializers

    init(source: UnsafeBufferPointer<UInt8>, file: String, initializers: Initializers) throws(ProgramError) {
        self.lexer = Lexer(bytes: source)
        self.file = file
        self.initializers = initializers
        self.token = Token(kind: .end, start: 0, end: 0, line: 1)
        self.builder = ProgramBuilder(
            source: source, maximumElements: initializers.maximumElements, maximumTotalElements: initializers.maximumTotalElements,
            timesForward: initializers.timesForward)
        try advance()
    }

    /// Reads every statement and returns the finished computation and the inputs' defaults.
    mutating func parseProgram() throws(ProgramError) -> (Computation, defaults: [Double]) {
        while token.kind != .end {
            if token.kind != .newline {
                try parseStatement()
            }
            guard token.kind == .newline || token.kind == .end else {
                throw error("expected the end of the statement, found \(describe(token))")
            }
            if token.kind == .newline { try advance() }
        }
        guard builder.statementCount > 0 else {
            throw ProgramError(file: file, line: 1, column: 1, message: "the program has no statements")
        }
        return try builder.finish(file: file, endLine: token.line)
    }

    mutating func parseStatement() throws(ProgramError) {
        let nameToken = token
        guard token.kind == .name else {
            throw error("expected a statement ('input NAME = VALUE', 'data NAME = VALUE', 'output NAME' or 'NAME = expression'), found \(describe(token))")
        }
        let word = token.start..<token.end
        try advance()
        let leafOp: Op? = isWord(word, "input") ? .input : isWord(word, "data") ? .data : nil
        if let leafOp, token.kind == .name {
            let name = token
            try advance()
            let leaf = "\(leafOp == .input ? "input" : "data") '\(text(name))'"
            try expect(.equals, "'=' and a value after \(leaf)")
            builder.line = Int32(name.line)
            let (shape, elements) = try parseInitializer(for: leaf)
            if let message = builder.declareLeaf(name.start..<name.end, leafOp, shape: shape, elements: elements, line: Int32(name.line)) {
                throw error(at: name, message)
            }
        } else if isWord(word, "metric") && token.kind == .name {
            // metric NAME = EXPR: an assignment whose node a training logs at every step.
            let name = token
            try advance()
            let metricName = text(name)
            try expect(.equals, "'=' and an expression after 'metric \(metricName)'")
            builder.line = Int32(name.line)
            let node = try parseExpression()
            if let message = builder.assignMetric(name.start..<name.end, node) { throw error(at: name, message) }
        } else if isWord(word, "output") && token.kind == .name {
            let name = token
            try advance()
            if let message = builder.declareOutput(name.start..<name.end, line: Int32(name.line)) { throw error(at: name, message) }
        } else {
            guard token.kind == .equals else {
                throw error(at: token, "expected '=' after '\(text(nameToken))', found \(describe(token))")
            }
            try advance()
            builder.line = Int32(nameToken.line)
            let node = try parseExpression()
            builder.assign(word, node)
        }
    }

    mutating func parseExpression() throws(ProgramError) -> NodeID {
        let lhs = try parseSum()
        let comparison: Op
        switch token.kind {
        case .greater: comparison = .greater
        case .less: comparison = .less
        case .greaterEqual: comparison = .greaterEqual
        case .lessEqual: comparison = .lessEqual
        case .equalEqual: comparison = .equal
        default: return lhs
        }
        let operatorToken = token
        try advance()
        return try apply(comparison, lhs, try parseSum(), at: operatorToken)
    }

    mutating func parseSum() throws(ProgramError) -> NodeID {
        var lhs = try parseTerm()
        while token.kind == .plus || token.kind == .minus {
            let op: Op = token.kind == .plus ? .add : .sub
            let operatorToken = token
            try advance()
            lhs = try apply(op, lhs, try parseTerm(), at: operatorToken)
        }
        return lhs
    }

    mutating func parseTerm() throws(ProgramError) -> NodeID {
        var lhs = try parseUnary()
        while token.kind == .star || token.kind == .slash || token.kind == .at {
            let op: Op = token.kind == .star ? .mul : token.kind == .slash ? .div : .matmul
            let operatorToken = token
            try advance()
            lhs = try apply(op, lhs, try parseUnary(), at: operatorToken)
        }
        return lhs
    }

    /// Appends an op; a shape that does not fit is an error at `token` (the operator or the
    /// function's name).
    mutating func apply(
        _ op: Op, _ a: NodeID, _ b: NodeID = Tape.noInput, axis: Int? = nil, shape: [Int]? = nil, at token: Token
    ) throws(ProgramError) -> NodeID {
        do {
            return try builder.apply(op, a, b, axis: axis, shape: shape)
        } catch {
            throw self.error(at: token, error.message)
        }
    }

    mutating func parseUnary() throws(ProgramError) -> NodeID {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw error("the expression nests more than \(Self.maximumDepth) levels deep; split it into statements")
        }
        guard token.kind == .minus else { return try parsePower() }
        try advance()
        let operand = try parseUnary()
        // A negated literal is a negative constant, not a neg node over a positive one.
        return builder.negate(operand)
    }

    mutating func parsePower() throws(ProgramError) -> NodeID {
        let base = try parsePrimary()
        guard token.kind == .caret else { return base }
        let caret = token
        try advance()
        let exponent = try parseUnary()
        return try apply(builder.isConstant(exponent) ? .powc : .pow, base, exponent, at: caret)
    }

    mutating func parsePrimary() throws(ProgramError) -> NodeID {
        let start = token
        switch token.kind {
        case .number:
            try advance()
            return builder.constant(number(start))
        case .lbracket:
            let (shape, elements) = try parseLiteral()
            if let problem = builder.constant(shape: shape, elements: elements) { throw error(at: start, problem) }
            return builder.last
        case .lparen:
            try advance()
            let inner = try parseExpression()
            let source = lexer  // the message is only built on failure; it reads a copy
            try expect(.rparen, "')' to close the '(' at column \(source.column(of: start.start))")
            return inner
        case .name:
            try advance()
            if token.kind == .lparen { return try parseCall(start) }
            guard let node = builder.lookup(start.start..<start.end) else {
                throw error(at: start, "'\(text(start))' is not defined (define it above, or declare it with 'input \(text(start)) = VALUE' or 'data \(text(start)) = VALUE')")
            }
            return node
        default:
            throw error("expected an expression, found \(describe(token))")
        }
    }

    mutating func parseCall(_ nameToken: Token) throws(ProgramError) -> NodeID {
        guard let function = Function(utf8: UnsafeBufferPointer(rebasing: lexer.bytes[nameToken.start..<nameToken.end])) else {
            let name = text(nameToken)
            if Initializer(rawValue: name) != nil {
                throw error(at: nameToken, "\(name)(...) makes the value of a leaf: write 'input NAME = \(name)(...)' or 'data NAME = \(name)(...)'")
            }
            throw error(at: nameToken, "unknown function '\(name)' (known: \(Function.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        try advance()  // (
        if function.arguments == .one || function.arguments == .two {
            return try parsePlainCall(function, nameToken)
        }
        let first = try parseExpression()
        let node: NodeID
        switch function.arguments {
        case .one, .two:
            preconditionFailure("parsed above")
        case .optionalAxis, .axis:
            var axis: Int?
            if token.kind == .comma || function.arguments == .axis {
                try expect(.comma, "',' and the axis of \(function.rawValue) (an integer; -1 is the last axis)")
                axis = try parseInteger("the axis of \(function.rawValue)")
            }
            node = try apply(function.op, first, axis: axis, at: nameToken)
        case .shape:
            try expect(.comma, "',' and the new shape of reshape, such as [2, -1]")
            let dims = try parseIntegerList("the new shape of reshape")
            node = try apply(.reshape, first, shape: dims, at: nameToken)
        }
        guard token.kind == .rparen else {
            let count = token.kind == .comma ? "too many arguments" : "expected ')'"
            throw error("\(count) in \(function.rawValue)(...) (\(function.usage)), found \(describe(token))")
        }
        try advance()
        return node
    }

    /// A call whose arguments are all expressions: counted first, so that a wrong count is
    /// one message at the function's name.
    mutating func parsePlainCall(_ function: Function, _ nameToken: Token) throws(ProgramError) -> NodeID {
        // At most two arguments are kept (no array per call); extra ones are parsed to be counted.
        var arguments = (Tape.noInput, Tape.noInput)
        var count = 0
        if token.kind != .rparen {
            repeat {
                if count > 0 { try advance() }  // ,
                let argument = try parseExpression()
                if count == 0 { arguments.0 = argument } else if count == 1 { arguments.1 = argument }
                count += 1
            } while token.kind == .comma
        }
        try expect(.rparen, "',' or ')' in the arguments of \(function.rawValue)")
        let wanted = function.arguments == .one ? 1 : 2
        guard count == wanted else {
            throw error(at: nameToken, "\(function.rawValue) takes \(wanted == 1 ? "1 argument" : "2 arguments"), got \(count)")
        }
        if function.op == .pow, builder.isConstant(arguments.1) {
            return try apply(.powc, arguments.0, arguments.1, at: nameToken)
        }
        return try apply(function.op, arguments.0, arguments.1, at: nameToken)
    }

    // MARK: - Tokens

    mutating func advance() throws(ProgramError) {
        token = lexer.next()
        if token.kind == .error, let e = lexer.error {
            throw ProgramError(file: file, line: e.line, column: lexer.column(of: e.offset), message: e.message, sourceLine: lexer.lineText(at: e.offset))
        }
    }

    func isWord(_ range: Range<Int>, _ word: StaticString) -> Bool {
        guard range.count == word.utf8CodeUnitCount else { return false }
        let bytes = lexer.bytes
        return word.withUTF8Buffer { w in
            for i in 0..<w.count where bytes[range.lowerBound + i] != w[i] { return false }
            return true
        }
    }

    mutating func expect(_ kind: Token.Kind, _ what: @autoclosure () -> String) throws(ProgramError) {
        guard token.kind == kind else { throw error("expected \(what()), found \(describe(token))") }
        try advance()
    }

    func text(_ t: Token) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: lexer.bytes[t.start..<t.end]), as: UTF8.self)
    }

    /// The lexer only passes well-formed decimal literals; parse them in place.
    func number(_ t: Token) -> Double {
        let bytes = lexer.bytes
        let count = t.end - t.start
        // Short literals (nearly all) are parsed from a stack copy, without a String.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            for i in 0..<count { buffer[i] = CChar(bitPattern: bytes[t.start + i]) }
            buffer[count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    /// A token as a message quotes it; a long one (a string literal can hold a whole line) by
    /// its start, so that a message stays short.
    func describe(_ t: Token) -> String {
        switch t.kind {
        case .end: return "the end of the file"
        case .newline: return "the end of the line"
        default:
            let scalars = text(t).unicodeScalars
            guard scalars.count > ProgramError.shownTokenLength else { return "'\(text(t))'" }
            return "'" + String(String.UnicodeScalarView(scalars.prefix(ProgramError.shownTokenLength))) + "…'"
        }
    }

    func error(_ message: String) -> ProgramError { error(at: token, message) }

    func error(at t: Token, _ message: String) -> ProgramError {
        // A newline token belongs to the line it ends.
        ProgramError(file: file, line: t.line, column: lexer.column(of: t.start), message: message, sourceLine: lexer.lineText(at: t.start))
    }
}

/// The functions a program may call, and the arguments each takes.
enum Function: String, CaseIterable {
    case exp, log, sqrt, sin, cos, tan, tanh, sigmoid, relu, abs, pow, max, min
    case sum, mean, transpose, reshape, softmax, log_softmax, logsumexp, cross_entropy

    enum Arguments { case one, two, optionalAxis, axis, shape }

    private static let spellings: [(utf8: [UInt8], function: Function)] = allCases.map { (Array($0.rawValue.utf8), $0) }

    /// The function named by these bytes, found without making a String.
    init?(utf8 name: UnsafeBufferPointer<UInt8>) {
        for (spelling, function) in Self.spellings where spelling.count == name.count {
            if spelling.withUnsafeBufferPointer({ memcmp($0.baseAddress!, name.baseAddress!, name.count) == 0 }) {
                self = function
                return
            }
        }
        return nil
    }

    var arguments: Arguments {
        switch self {
        case .pow, .max, .min, .cross_entropy: .two
        case .sum, .mean: .optionalAxis
        case .softmax, .log_softmax, .logsumexp: .axis
        case .reshape: .shape
        default: .one
        }
    }

    var usage: String {
        switch arguments {
        case .one: "\(rawValue)(x)"
        case .two: self == .cross_entropy ? "cross_entropy(logits, labels)" : "\(rawValue)(a, b)"
        case .optionalAxis: "\(rawValue)(x) or \(rawValue)(x, AXIS)"
        case .axis: "\(rawValue)(x, AXIS)"
        case .shape: "reshape(x, [d0, d1, ...])"
        }
    }

    var op: Op {
        switch self {
        case .exp: .exp
        case .log: .log
        case .sqrt: .sqrt
        case .sin: .sin
        case .cos: .cos
        case .tan: .tan
        case .tanh: .tanh
        case .sigmoid: .sigmoid
        case .relu: .relu
        case .abs: .abs
        case .pow: .pow
        case .max: .max
        case .min: .min
        case .sum: .sum
        case .mean: .mean
        case .transpose: .transpose
        case .reshape: .reshape
        case .softmax: .softmax
        case .log_softmax: .logSoftmax
        case .logsumexp: .logsumexp
        case .cross_entropy: .crossEntropy
        }
    }
}
