import Foundation
import Testing
import GradlogFormats

/// The committed example data (examples/data, made by scripts/make_example_data.py) reads in
/// gradlog with the documented shapes, and the moons files give micrograd's published step-0
/// loss when the network is evaluated from them.
@Suite struct ExampleDataTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/data")

    @Test func digits() throws {
        let table = try CSVTable.read(path: Self.folder.appendingPathComponent("digits_pixels.csv").path)
        #expect(table.shape == [1797, 64])
        #expect(table.header == (0..<64).map { "p\($0)" })
        #expect(table.values.allSatisfy { $0 >= 0 && $0 <= 16 && $0.rounded() == $0 })
        let labels = try CSVTable.read(path: Self.folder.appendingPathComponent("digits_labels.csv").path).columns(["label"])
        #expect(labels.shape == [1797] && Set(labels.values) == Set((0...9).map(Double.init)))
    }

    @Test func moonsGiveMicrogradsFirstLoss() throws {
        let table = try CSVTable.read(path: Self.folder.appendingPathComponent("moons.csv").path)
        let x = try table.columns(["x0", "x1"])
        let y = try table.columns(["y"]).values
        #expect(x.shape == [100, 2] && Set(y) == [-1, 1])
        let weights = try SafeTensorsFile.read(path: Self.folder.appendingPathComponent("moons_init.safetensors").path)
        func tensor(_ name: String) throws -> (values: [Double], shape: [Int]) {
            let read = try weights.values(name)
            #expect(read.dtype == .f64)
            return (read.values, read.shape)
        }
        let layers = try (1...3).map { (try tensor("W\($0)"), try tensor("b\($0)")) }
        #expect(layers.map(\.0.shape) == [[2, 16], [16, 16], [16, 1]])
        #expect(layers.map(\.1.shape) == [[16], [16], [1]])

        var dataLoss = 0.0
        var correct = 0
        for row in 0..<100 {
            var activation = Array(x.values[(2 * row)..<(2 * row + 2)])
            for (index, (w, b)) in layers.enumerated() {
                let outputs = w.shape[1]
                activation = (0..<outputs).map { j in
                    let sum = activation.indices.reduce(b.values[j]) { $0 + activation[$1] * w.values[$1 * outputs + j] }
                    return index < 2 ? max(sum, 0) : sum
                }
            }
            dataLoss += max(0, 1 - y[row] * activation[0])
            if (y[row] > 0) == (activation[0] > 0) { correct += 1 }
        }
        let squares = layers.flatMap { $0.0.values + $0.1.values }.reduce(0) { $0 + $1 * $1 }
        let loss = dataLoss / 100 + 1e-4 * squares
        #expect(abs(loss - 0.8958441028683222) < 1e-12)
        #expect(correct == 50)
    }
}
