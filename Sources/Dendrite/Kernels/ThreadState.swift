import CDendrite

/// State kept per thread in C thread-local storage (a read is one load, cheap enough for every
/// recorded op): how many ``noGrad(_:)`` scopes enclose the current thread.
enum ThreadState {
    /// The current thread's noGrad depth.
    static var gradientDisabledDepth: Int {
        get { Int(dd_gradient_disabled_depth()) }
        set { dd_set_gradient_disabled_depth(Int32(newValue)) }
    }
}
