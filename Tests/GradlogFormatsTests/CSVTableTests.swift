import Testing
@testable import GradlogFormats

/// Reading numeric CSV: headers, named columns, the spellings of numbers and every error a
/// person can make in the file, with its message.
@Suite struct CSVTableTests {
    @Test func headerAndRows() throws {
        let table = try CSVTable.parse("x0,x1,y\n1.5,-2,1\n3e2,.25,-1\n", path: "moons.csv")
        #expect(table.header == ["x0", "x1", "y"])
        #expect(table.rowCount == 2 && table.columnCount == 3)
        #expect(table.shape == [2, 3])
        #expect(table.values == [1.5, -2, 1, 300, 0.25, -1])
    }

    @Test func firstLineOfNumbersIsData() throws {
        let table = try CSVTable.parse("1,2\n3,4", path: "m.csv")
        #expect(table.header == nil)
        #expect(table.values == [1, 2, 3, 4])
        #expect(throws: FormatError(file: "m.csv", message: "has no header line, so its columns have no names; the first line holds numbers")) {
            try table.columns(["a"])
        }
    }

    @Test func namedColumns() throws {
        let table = try CSVTable.parse("a,b,c\n1,2,3\n4,5,6\n", path: "t.csv")
        let one = try table.columns(["b"])
        #expect(one.values == [2, 5] && one.shape == [2])
        let two = try table.columns(["c", "a"])
        #expect(two.values == [3, 1, 6, 4] && two.shape == [2, 2])
        #expect(throws: FormatError(file: "t.csv", line: 1, message: #"no column "d"; the columns are "a", "b", "c""#)) {
            try table.columns(["a", "d"])
        }
    }

    @Test func duplicateColumnNameIsAmbiguous() throws {
        let table = try CSVTable.parse("a,a\n1,2\n", path: "t.csv")
        #expect(throws: FormatError(file: "t.csv", line: 1, message: #"column "a" appears 2 times in the header"#)) {
            try table.columns(["a"])
        }
    }

    @Test func quotedSpacedHeaderCRLFAndBOM() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(" \"first, name\" , \"say \"\"hi\"\"\"\r\n 1 ,\t2\r\n\r\n\n".utf8)
        let table = try CSVTable.parse(bytes: bytes, path: "q.csv")
        #expect(table.header == ["first, name", "say \"hi\""])
        #expect(table.values == [1, 2])
    }

    @Test func specialValues() throws {
        let table = try CSVTable.parse("nan,NaN,-nan,inf,-inf,Infinity,+INF,-0,5e-324,1.7976931348623157e308,2.\n", path: "s.csv")
        let v = table.values
        #expect(v[0].bitPattern == 0x7FF8_0000_0000_0000 && v[1].bitPattern == 0x7FF8_0000_0000_0000)
        #expect(v[2].bitPattern == 0xFFF8_0000_0000_0000)
        #expect(Array(v[3...6]) == [.infinity, -.infinity, .infinity, .infinity])
        #expect(v[7].bitPattern == (-0.0).bitPattern)
        #expect(v[8] == .leastNonzeroMagnitude && v[9] == .greatestFiniteMagnitude && v[10] == 2)
    }

    @Test func decimalsRoundCorrectly() throws {
        let table = try CSVTable.parse("0.1,0.30000000000000004,-1.2345678901234567e-300\n", path: "r.csv")
        #expect(table.values == [0.1, 0.30000000000000004, -1.2345678901234567e-300])
    }

    @Test func raggedRow() {
        #expect(throws: FormatError(file: "r.csv", line: 3, message: "row has 2 cells, the header has 3")) {
            try CSVTable.parse("a,b,c\n1,2,3\n4,5\n", path: "r.csv")
        }
        #expect(throws: FormatError(file: "r.csv", line: 2, message: "row has 4 cells, the first row has 3")) {
            try CSVTable.parse("1,2,3\n4,5,6,\n", path: "r.csv")
        }
    }

    @Test(arguments: [
        ("a,b\n1,2\n3,x7\n", FormatError(file: "c.csv", line: 3, column: 3, message: #"cell "x7" is not a number"#)),
        ("a,b\n1, \n", FormatError(file: "c.csv", line: 2, column: 4, message: "empty cell where a number is expected")),
        ("a,b\n1,0x10\n", FormatError(file: "c.csv", line: 2, column: 3, message: #"cell "0x10" is not a number"#)),
        ("é,b\nü,1\n", FormatError(file: "c.csv", line: 2, column: 1, message: #"cell "ü" is not a number"#)),
        ("a,b\n1,\u{1B}[31m\n", FormatError(file: "c.csv", line: 2, column: 3, message: #"cell "\u{1B}[31m" is not a number"#)),
        ("a\n" + String(repeating: "z", count: 50) + "\n",
         FormatError(file: "c.csv", line: 2, column: 1, message: "cell \"" + String(repeating: "z", count: 40) + "\"... is not a number")),
        ("a,b\n1,2\n\n3,4\n", FormatError(file: "c.csv", line: 3, message: "empty line inside the table (only empty lines at the end are skipped)")),
        ("\"a,b\n1\n", FormatError(file: "c.csv", line: 1, column: 1, message: "quoted cell has no closing quote on its line")),
        ("\"a\"b\n1\n", FormatError(file: "c.csv", line: 1, column: 4, message: "text after the closing quote of a cell")),
        ("a,b\n", FormatError(file: "c.csv", line: 1, message: "has a header line but no rows of numbers")),
        ("\u{FEFF}\r\n\n", FormatError(file: "c.csv", message: "is empty: no header and no rows")),
        ("", FormatError(file: "c.csv", message: "is empty: no header and no rows")),
    ])
    func badCell(text: String, error: FormatError) {
        #expect(throws: error) { try CSVTable.parse(text, path: "c.csv") }
    }

    @Test func errorDescriptionIsLocated() {
        let error = FormatError(file: "d.csv", line: 4, column: 7, message: #"cell "x" is not a number"#)
        #expect(error.description == #"d.csv:4:7: cell "x" is not a number"#)
        #expect(FormatError(file: "d.csv", message: "is empty").description == "d.csv: is empty")
    }

    @Test func readsFilesAndReportsMissingOnesAndFolders() throws {
        let scratch = try ScratchFolder()
        let path = try scratch.file("t.csv", Array("a\n1\n2\n".utf8))
        #expect(try CSVTable.read(path: path).values == [1, 2])
        #expect(throws: FormatError(file: scratch.path("none.csv"), message: "cannot open: No such file or directory")) {
            try CSVTable.read(path: scratch.path("none.csv"))
        }
        #expect(throws: FormatError(file: scratch.url.path, message: "is a directory, not a file")) {
            try CSVTable.read(path: scratch.url.path)
        }
    }

    @Test func tableOverTheElementLimitIsRefused() throws {
        let bytes = Array("a,b\n1,2\n3,4\n5,6\n".utf8)
        #expect(try CSVTable.parse(bytes: bytes, path: "e.csv", maxElements: 6).rowCount == 3)
        #expect(throws: FormatError(file: "e.csv", line: 4, message: "table has more than 5 numbers, the most gradlog reads")) {
            try CSVTable.parse(bytes: bytes, path: "e.csv", maxElements: 5)
        }
    }

    @Test func nanPayloadsAndHexAreNotNumbers() {
        #expect(CSVTable.number(in: Array("nan(0x1)".utf8)[...]) == nil)
        #expect(CSVTable.number(in: Array("infinit".utf8)[...]) == nil)
        #expect(CSVTable.number(in: Array("0x1p3".utf8)[...]) == nil)
        #expect(CSVTable.number(in: Array("1e".utf8)[...]) == nil)
        #expect(CSVTable.number(in: Array(".".utf8)[...]) == nil)
        #expect(CSVTable.number(in: Array("--1".utf8)[...]) == nil)
    }

    @Test func fileOverTheLimitIsRefused() throws {
        let scratch = try ScratchFolder()
        let path = try scratch.file("big.csv", Array(repeating: UInt8(ascii: "1"), count: 100))
        #expect(throws: FormatError(file: path, message: "file is larger than gradlog reads (100 bytes or more; the limit is 99 bytes)")) {
            try FileBytes.read(path: path, limit: 99)
        }
    }
}
