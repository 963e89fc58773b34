// libFuzzer harness over Dendrite's parsers of untrusted input: `make fuzz` builds it with
// `-sanitize=fuzzer,address` (which supplies `main`) and runs one target per parser, selected by
// DENDRITE_FUZZ_TARGET. A parser may throw `DendriteError` — that is the expected answer to bad
// input; a crash, a sanitizer report or a hang is a defect. Built without `FUZZING` (as
// `swift build` does), this executable only explains how to run it.
import Dendrite

#if FUZZING
/// Runs the selected parser on one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    FuzzTarget.current.run(bytes)
    return 0
}

/// libFuzzer's driver (its runtime is linked by -sanitize=fuzzer).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// The executable's entry point: SwiftPM links an executable target's `main` to this symbol.
@_cdecl("DendriteFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return runFuzzerDriver(&count, &arguments, fuzzOneInput)
}
#else
/// Without libFuzzer: says how to run the harness.
@main
struct FuzzHelp {
    static func main() {
        print("Build and run with `make fuzz` (libFuzzer needs -sanitize=fuzzer); targets: "
              + FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))
    }
}
#endif
