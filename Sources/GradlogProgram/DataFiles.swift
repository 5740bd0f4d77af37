import GradlogAutodiff
import GradlogFormats

/// Reads the data files a program names: CSV tables (`csv(...)`) and safetensors tensors
/// (`load(...)`), through GradlogFormats, and checks that what they hold can be a tensor.
enum DataFiles {
    /// The whole numeric table ([rows, columns]), or the named columns in the order given
    /// ([rows] for one column, [rows, k] for k columns). `opened` holds the tables read so far
    /// by path, so that a file several `csv(...)` name is read once.
    static func csv(
        _ path: String, columns: [String], opened: inout [String: CSVTable]
    ) throws(InitializerError) -> (Shape, [Double]) {
        do throws(FormatError) {
            let table: CSVTable
            if let known = opened[path] { table = known } else { table = try CSVTable.read(path: path) }
            opened[path] = table
            if columns.isEmpty { return try tensor(shape: table.shape, table.values, from: path) }
            let (values, shape) = try table.columns(columns)
            return try tensor(shape: shape, values, from: path)
        } catch {
            throw InitializerError("cannot read \(error)")
        }
    }

    /// One tensor of a safetensors file, widened to doubles exactly (F64, F32, F16, BF16).
    /// `opened` holds the files read so far by path, as for `csv`.
    static func safetensors(
        _ path: String, key: String, opened: inout [String: SafeTensorsFile]
    ) throws(InitializerError) -> (Shape, [Double]) {
        do throws(FormatError) {
            let file: SafeTensorsFile
            if let known = opened[path] { file = known } else { file = try SafeTensorsFile.read(path: path) }
            opened[path] = file
            guard file.entry(key) != nil else {
                let keys = file.tensors.map(\.name)
                let known = keys.isEmpty ? "it holds no tensors" : "its keys are " + keys.prefix(20).joined(separator: ", ") + (keys.count > 20 ? ", ..." : "")
                throw FormatError(file: path, message: "no tensor '\(key)' (\(known))")
            }
            let (values, shape, _) = try file.values(key)
            return try tensor(shape: shape, values, from: path)
        } catch {
            throw InitializerError("cannot load \(error)")
        }
    }

    private static func tensor(shape dims: [Int], _ values: [Double], from path: String) throws(FormatError) -> (Shape, [Double]) {
        if let problem = Shape.problem(with: dims) {
            throw FormatError(file: path, message: "cannot be a tensor: \(problem)")
        }
        return (Shape(dims), values)
    }
}
