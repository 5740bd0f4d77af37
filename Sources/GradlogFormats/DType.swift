/// A safetensors element type, by the name the header gives it. The list is the reference
/// implementation's (safetensors 0.8); a name outside it makes the file unreadable, while a
/// listed type gradlog cannot convert (integers, 8-bit and smaller floats, complex) is only an
/// error when its values are asked for.
public enum DType: String, CaseIterable, Sendable {
    case bool = "BOOL"
    case f4 = "F4"
    case f6e2m3 = "F6_E2M3"
    case f6e3m2 = "F6_E3M2"
    case u8 = "U8"
    case i8 = "I8"
    case f8e5m2 = "F8_E5M2"
    case f8e4m3 = "F8_E4M3"
    case f8e8m0 = "F8_E8M0"
    case f8e4m3fnuz = "F8_E4M3FNUZ"
    case f8e5m2fnuz = "F8_E5M2FNUZ"
    case i16 = "I16"
    case u16 = "U16"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case u32 = "U32"
    case f32 = "F32"
    case c64 = "C64"
    case f64 = "F64"
    case i64 = "I64"
    case u64 = "U64"

    /// Bits per element; sub-byte types pack several elements into a byte.
    public var bitWidth: Int {
        switch self {
        case .f4: 4
        case .f6e2m3, .f6e3m2: 6
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3, .f8e8m0, .f8e4m3fnuz, .f8e5m2fnuz: 8
        case .i16, .u16, .f16, .bf16: 16
        case .i32, .u32, .f32: 32
        case .c64, .f64, .i64, .u64: 64
        }
    }

    /// Whether gradlog converts this type to doubles: F64, F32, F16 and BF16, all exactly.
    public var isReadable: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16: true
        default: false
        }
    }
}

extension DType {
    /// The element at `index` of little-endian `bytes`, widened to Double. Widening is exact:
    /// signed zeros, infinities and subnormals keep their values, and a NaN keeps its sign,
    /// its quiet bit and its payload, shifted to the top of the double's fraction (where a
    /// hardware conversion puts them; unlike hardware, a signalling NaN stays signalling).
    func double(in bytes: UnsafeRawBufferPointer, at index: Int) -> Double {
        switch self {
        case .f64:
            return Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))
        case .f32:
            return Double(float32Bits: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
        case .bf16:
            // bfloat16 is the top half of a float32.
            let bits = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
            return Double(float32Bits: UInt32(bits) << 16)
        case .f16:
            let bits = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
            return Double(float16Bits: bits)
        default:
            preconditionFailure("\(rawValue) is not converted to doubles")
        }
    }
}

extension Double {
    /// A binary32 bit pattern widened by bit manipulation, so that a NaN keeps its payload
    /// and its signalling bit exactly (a hardware conversion would quieten it).
    init(float32Bits bits: UInt32) {
        let sign = UInt64(bits >> 31) << 63
        let exponent = (bits >> 23) & 0xFF
        let fraction = UInt64(bits & 0x7F_FFFF)
        if exponent == 0xFF {  // infinity or NaN: payload to the top of the 52-bit fraction
            self.init(bitPattern: sign | 0x7FF0_0000_0000_0000 | fraction << 29)
        } else {
            self = Double(Float(bitPattern: bits))  // finite values widen exactly
        }
    }

    /// An IEEE binary16 bit pattern widened exactly; NaN payloads as for `float32Bits`.
    init(float16Bits bits: UInt16) {
        let negative = bits & 0x8000 != 0
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = UInt64(bits & 0x3FF)
        let magnitude: Double
        switch exponent {
        case 0x1F:
            let sign: UInt64 = negative ? 1 << 63 : 0
            self.init(bitPattern: sign | 0x7FF0_0000_0000_0000 | fraction << 42)
            return
        case 0:  // zero or subnormal: fraction * 2^-24
            magnitude = Double(fraction) * 0x1p-24
        default:  // (1024 + fraction) * 2^(exponent - 25)
            magnitude = Double(sign: .plus, exponentBitPattern: UInt(exponent - 15 + 1023), significandBitPattern: fraction << 42)
        }
        self = negative ? -magnitude : magnitude
    }
}
