#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The C math library under one name: inside `Op`, its cases (`exp`, `log`, `pow`, ...) shadow
/// the free functions.
enum Libm {
    static func pow(_ a: Double, _ b: Double) -> Double { Glibc.pow(a, b) }
    static func exp(_ a: Double) -> Double { Glibc.exp(a) }
    static func log(_ a: Double) -> Double { Glibc.log(a) }
    static func sin(_ a: Double) -> Double { Glibc.sin(a) }
    static func cos(_ a: Double) -> Double { Glibc.cos(a) }
    static func tan(_ a: Double) -> Double { Glibc.tan(a) }
    static func tanh(_ a: Double) -> Double { Glibc.tanh(a) }
}
