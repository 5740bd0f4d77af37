import GradlogAutodiff

/// The parser's leaves: a leaf's value (a number, a literal, an initializer call) and the small
/// grammars inside them (shapes, integers, strings).
extension Parser {
    // MARK: - Leaves

    /// A leaf's value: a number (a scalar, shape nil), a literal, or an initializer call.
    mutating func parseInitializer(for leaf: String) throws(ProgramError) -> (Shape?, [Double]) {
        let start = token
        switch token.kind {
        case .minus, .number:
            return (nil, [try parseSignedNumber("the default of \(leaf)")])
        case .lbracket:
            let (shape, elements) = try parseLiteral()
            return (shape, elements)
        case .name:
            guard let initializer = Initializer(rawValue: text(start)) else { break }
            try advance()
            try expect(.lparen, "'(' after \(initializer.rawValue)")
            let result = try parseInitializerArguments(initializer, at: start)
            try expect(.rparen, "')' to close \(initializer.rawValue)(...) (\(initializer.usage))")
            return result
        default:
            break
        }
        throw error(at: start, "expected a number as the default of \(leaf), found \(describe(start)) (a tensor's value is a literal such as [[1, 2], [3, 4]], or \(Initializer.allCases.map { $0.rawValue + "(...)" }.joined(separator: ", ")))")
    }

    mutating func parseInitializerArguments(
        _ initializer: Initializer, at start: Token
    ) throws(ProgramError) -> (Shape, [Double]) {
        func fail(_ message: String) -> ProgramError { error(at: start, message) }
        switch initializer {
        case .zeros, .ones:
            let shape = try parseShape("the shape of \(initializer.rawValue)")
            return (shape, [Double](repeating: initializer == .zeros ? 0 : 1, count: shape.count))
        case .uniform, .normal:
            let first = try parseSignedNumber("the \(initializer == .uniform ? "low end" : "mean") of \(initializer.rawValue)")
            try expect(.comma, "',' in \(initializer.usage)")
            let second = try parseSignedNumber("the \(initializer == .uniform ? "high end" : "standard deviation") of \(initializer.rawValue)")
            try expect(.comma, "',' and the shape in \(initializer.usage)")
            let shape = try parseShape("the shape of \(initializer.rawValue)")
            let elements = initializer == .uniform
                ? initializers.random.uniform(first, second, count: shape.count)
                : initializers.random.normal(mean: first, deviation: second, count: shape.count)
            return (shape, elements)
        case .csv, .load:
            let path = try parseString("the file name of \(initializer.rawValue)")
            var keys: [String] = []
            while token.kind == .comma {
                try advance()
                keys.append(try parseString(initializer == .csv ? "a column name of csv" : "the tensor's key in load"))
            }
            guard initializer == .csv || keys.count == 1 else {
                throw fail("load takes a file and one key: \(initializer.usage)")
            }
            do throws(InitializerError) {
                if initializer == .csv { return try initializers.csv(path, columns: keys) }
                return try initializers.safetensors(path, key: keys[0])
            } catch {
                throw fail(error.message)
            }
        }
    }

    /// A nested list of numbers: `[1, 2]`, `[[1, 2], [3, 4]]`. Every sublist at one depth must
    /// have the same length.
    mutating func parseLiteral() throws(ProgramError) -> (Shape, [Double]) {
        var elements: [Double] = []
        let dims = try parseLiteralLevel(into: &elements, depth: 0)
        if let problem = Shape.problem(with: dims) { throw error(problem) }
        return (Shape(dims), elements)
    }

    mutating func parseLiteralLevel(into elements: inout [Double], depth: Int) throws(ProgramError) -> [Int] {
        guard depth < 32 else { throw error("a literal nests more than 32 levels deep") }
        let open = token
        try expect(.lbracket, "'['")
        var inner: [Int]?
        var count = 0
        repeat {
            if count > 0 { try advance() }  // ,
            let item = token
            let dims: [Int]
            if token.kind == .lbracket {
                dims = try parseLiteralLevel(into: &elements, depth: depth + 1)
            } else {
                elements.append(try parseSignedNumber("a number in the literal"))
                dims = []
            }
            if let inner, inner != dims {
                throw error(at: item, "this element has shape \(Shape(dims)) but the first element of its list has shape \(Shape(inner)) (a literal cannot be ragged)")
            }
            inner = dims
            count += 1
        } while token.kind == .comma
        let source = lexer
        try expect(.rbracket, "',' or ']' to close the '[' at column \(source.column(of: open.start))")
        return [count] + (inner ?? [])
    }

    mutating func parseSignedNumber(_ what: String) throws(ProgramError) -> Double {
        let start = token
        let negative = token.kind == .minus
        if negative { try advance() }
        guard token.kind == .number else { throw error(at: start, "expected a number as \(what), found \(describe(start))") }
        let value = number(token)
        try advance()
        return negative ? -value : value
    }

    mutating func parseInteger(_ what: String) throws(ProgramError) -> Int {
        let start = token
        let value = try parseSignedNumber(what)
        guard value.rounded(.towardZero) == value, Swift.abs(value) < 1e15 else {
            throw error(at: start, "expected a whole number as \(what), found \(describe(start))")
        }
        return Int(value)
    }

    mutating func parseIntegerList(_ what: String) throws(ProgramError) -> [Int] {
        try expect(.lbracket, "'[' to start \(what)")
        var dims: [Int] = []
        if token.kind != .rbracket {
            repeat {
                if !dims.isEmpty { try advance() }
                dims.append(try parseInteger("a dimension of \(what)"))
            } while token.kind == .comma
        }
        try expect(.rbracket, "',' or ']' in \(what)")
        return dims
    }

    mutating func parseShape(_ what: String) throws(ProgramError) -> Shape {
        let start = token
        let dims = try parseIntegerList(what)
        if let problem = Shape.problem(with: dims) { throw error(at: start, "\(what): \(problem)") }
        let shape = Shape(dims)
        // Checked before anything is allocated: zeros([100000, 1000]) under a smaller limit.
        if shape.count > initializers.maximumElements {
            throw error(at: start, "\(what): \(shape) holds more than \(initializers.maximumElements) elements, the most one tensor may hold")
        }
        return shape
    }

    mutating func parseString(_ what: String) throws(ProgramError) -> String {
        guard token.kind == .string else { throw error("expected \(what) in double quotes, found \(describe(token))") }
        let value = String(decoding: UnsafeBufferPointer(rebasing: lexer.bytes[token.start + 1..<token.end - 1]), as: UTF8.self)
        try advance()
        return value
    }
}
