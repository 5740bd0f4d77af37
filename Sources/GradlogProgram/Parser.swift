#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GradlogAutodiff

/// Parses a `.grad` program and emits its nodes onto a tape as it goes, one statement a line:
///
/// ```
/// statement := 'input' NAME '=' ['-'] NUMBER | 'output' NAME | NAME '=' expr
/// expr      := term (('+' | '-') term)*
/// term      := unary (('*' | '/') unary)*
/// unary     := '-' unary | power            -- so -x^2 is -(x^2)
/// power     := primary ['^' unary]          -- right-associative: a^b^c is a^(b^c)
/// primary   := NUMBER | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'
/// ```
struct Parser {
    private var lexer: Lexer
    private let file: String
    private var token: Token
    private var builder: ProgramBuilder
    /// How deeply the expression being parsed nests (parentheses, unary minus, `^`).
    private var depth = 0
    /// Deeper expressions are refused rather than risking the stack: no person writes them.
    static let maximumDepth = 256

    init(source: UnsafeBufferPointer<UInt8>, file: String) throws(ProgramError) {
        self.lexer = Lexer(bytes: source)
        self.file = file
        self.token = Token(kind: .end, start: 0, end: 0, line: 1)
        self.builder = ProgramBuilder(source: source)
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

    private mutating func parseStatement() throws(ProgramError) {
        let nameToken = token
        guard token.kind == .name else {
            throw error("expected a statement ('input NAME = NUMBER', 'output NAME' or 'NAME = expression'), found \(describe(token))")
        }
        let word = token.start..<token.end
        try advance()
        if isWord(word, "input") && token.kind == .name {
            let name = token
            try advance()
            let inputName = text(name)
            try expect(.equals, "'=' and the input's default value after 'input \(inputName)'")
            let valueToken = token
            let negative = token.kind == .minus
            if negative { try advance() }
            guard token.kind == .number else {
                throw error(at: valueToken, "expected a number as the default of input '\(text(name))', found \(describe(valueToken))")
            }
            let value = number(token)
            try advance()
            if let message = builder.declareInput(name.start..<name.end, negative ? -value : value, line: Int32(name.line)) {
                throw error(at: name, message)
            }
        } else if isWord(word, "output") && token.kind == .name {
            let name = token
            try advance()
            if let message = builder.declareOutput(name.start..<name.end) { throw error(at: name, message) }
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

    private mutating func parseExpression() throws(ProgramError) -> NodeID {
        var lhs = try parseTerm()
        while token.kind == .plus || token.kind == .minus {
            let op: Op = token.kind == .plus ? .add : .sub
            try advance()
            lhs = builder.apply(op, lhs, try parseTerm())
        }
        return lhs
    }

    private mutating func parseTerm() throws(ProgramError) -> NodeID {
        var lhs = try parseUnary()
        while token.kind == .star || token.kind == .slash {
            let op: Op = token.kind == .star ? .mul : .div
            try advance()
            lhs = builder.apply(op, lhs, try parseUnary())
        }
        return lhs
    }

    private mutating func parseUnary() throws(ProgramError) -> NodeID {
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

    private mutating func parsePower() throws(ProgramError) -> NodeID {
        let base = try parsePrimary()
        guard token.kind == .caret else { return base }
        try advance()
        let exponent = try parseUnary()
        return builder.apply(builder.isConstant(exponent) ? .powc : .pow, base, exponent)
    }

    private mutating func parsePrimary() throws(ProgramError) -> NodeID {
        let start = token
        switch token.kind {
        case .number:
            try advance()
            return builder.constant(number(start))
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
                throw error(at: start, "'\(text(start))' is not defined (define it above, or declare it with 'input \(text(start)) = NUMBER')")
            }
            return node
        default:
            throw error("expected an expression, found \(describe(token))")
        }
    }

    private mutating func parseCall(_ nameToken: Token) throws(ProgramError) -> NodeID {
        guard let function = Function(utf8: UnsafeBufferPointer(rebasing: lexer.bytes[nameToken.start..<nameToken.end])) else {
            let name = text(nameToken)
            throw error(at: nameToken, "unknown function '\(name)' (known: \(Function.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        try advance()  // (
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
        guard count == function.op.arity else {
            let wanted = function.op.arity == 1 ? "1 argument" : "\(function.op.arity) arguments"
            throw error(at: nameToken, "\(function.rawValue) takes \(wanted), got \(count)")
        }
        if function.op == .pow, builder.isConstant(arguments.1) {
            return builder.apply(.powc, arguments.0, arguments.1)
        }
        return builder.apply(function.op, arguments.0, arguments.1)
    }

    // MARK: - Tokens

    private mutating func advance() throws(ProgramError) {
        token = lexer.next()
        if token.kind == .error, let e = lexer.error {
            throw ProgramError(file: file, line: e.line, column: lexer.column(of: e.offset), message: e.message, sourceLine: lexer.lineText(at: e.offset))
        }
    }

    private func isWord(_ range: Range<Int>, _ word: StaticString) -> Bool {
        guard range.count == word.utf8CodeUnitCount else { return false }
        let bytes = lexer.bytes
        return word.withUTF8Buffer { w in
            for i in 0..<w.count where bytes[range.lowerBound + i] != w[i] { return false }
            return true
        }
    }

    private mutating func expect(_ kind: Token.Kind, _ what: @autoclosure () -> String) throws(ProgramError) {
        guard token.kind == kind else { throw error("expected \(what()), found \(describe(token))") }
        try advance()
    }

    private func text(_ t: Token) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: lexer.bytes[t.start..<t.end]), as: UTF8.self)
    }

    /// The lexer only passes well-formed decimal literals; parse them in place.
    private func number(_ t: Token) -> Double {
        let bytes = lexer.bytes
        let count = t.end - t.start
        // Short literals (nearly all) are parsed from a stack copy, without a String.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            for i in 0..<count { buffer[i] = CChar(bitPattern: bytes[t.start + i]) }
            buffer[count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .end: "the end of the file"
        case .newline: "the end of the line"
        default: "'\(text(t))'"
        }
    }

    private func error(_ message: String) -> ProgramError { error(at: token, message) }

    private func error(at t: Token, _ message: String) -> ProgramError {
        // A newline token belongs to the line it ends.
        ProgramError(file: file, line: t.line, column: lexer.column(of: t.start), message: message, sourceLine: lexer.lineText(at: t.start))
    }
}

/// The functions a program may call.
enum Function: String, CaseIterable {
    case exp, log, sqrt, sin, cos, tan, tanh, sigmoid, relu, abs, pow, max, min

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
        }
    }
}
