import Glibc
import GradlogAutodiff

/// The optimizer's memory between steps, one buffer per input (see `TrainingOptions.Optimizer`
/// for the rules): momentum's velocity, Adam's first and second moment estimates. A checkpoint
/// keeps them with the parameters, so a resumed training continues bit for bit.
struct OptimizerState {
    let optimizer: TrainingOptions.Optimizer
    let momentum: Double
    /// Momentum's velocity, or Adam's first moment; empty for SGD.
    var first: [[Double]]
    /// Adam's second moment; empty otherwise.
    var second: [[Double]]

    init(_ options: TrainingOptions, inputs counts: [Int]) {
        optimizer = options.optimizer
        momentum = options.momentum
        first = optimizer == .sgd ? [] : counts.map { [Double](repeating: 0, count: $0) }
        second = optimizer == .adam ? first : []
    }

    /// Writes into `update` the step to subtract from input `index` at `step` (0-based).
    mutating func update(
        _ index: Int, gradient g: UnsafeBufferPointer<Double>, learningRate lr: Double, step: Int,
        into update: UnsafeMutableBufferPointer<Double>
    ) {
        switch optimizer {
        case .sgd:
            for k in 0..<g.count { update[k] = lr * g[k] }
        case .momentum:
            let m = momentum
            first[index].withUnsafeMutableBufferPointer { v in
                for k in 0..<g.count {
                    v[k] = step == 0 ? g[k] : m * v[k] + g[k]
                    update[k] = lr * v[k]
                }
            }
        case .adam:
            let t = Double(step + 1)
            let c1 = 1 - pow(0.9, t), c2 = 1 - pow(0.999, t)
            first[index].withUnsafeMutableBufferPointer { m in
                second[index].withUnsafeMutableBufferPointer { v in
                    for k in 0..<g.count {
                        m[k] = 0.9 * m[k] + (1 - 0.9) * g[k]
                        v[k] = 0.999 * v[k] + (1 - 0.999) * g[k] * g[k]
                        update[k] = lr * (m[k] / c1) / ((v[k] / c2).squareRoot() + 1e-8)
                    }
                }
            }
        }
    }

    /// The buffers of input `index` as a checkpoint names them (`training_checkpoint.kind`).
    func buffers(_ index: Int) -> [(kind: String, elements: [Double])] {
        zip(kinds, [first, second]).map { ($0, $1[index]) }
    }

    /// The kinds of buffer a checkpoint holds for each input, besides its values.
    var kinds: [String] {
        switch optimizer {
        case .sgd: []
        case .momentum: ["velocity"]
        case .adam: ["adam_m", "adam_v"]
        }
    }

    /// Restores input `index`'s buffer of `kind` from a checkpoint.
    mutating func restore(_ index: Int, kind: String, _ elements: [Double]) {
        switch kind {
        case "velocity", "adam_m": first[index] = elements
        case "adam_v": second[index] = elements
        default: preconditionFailure("no optimizer buffer \(kind)")
        }
    }
}
