import COpenBLAS
import Dispatch

/// The number of threads OpenBLAS uses for every GEMM and LAPACK call.
///
/// Read it or set it as `Dendrite.threadCount = 1`. Values below 1 are treated as 1.
public var threadCount: Int {
    get { Int(configuredBLASThreads) }
    set {
        configuredBLASThreads = Int32(max(1, newValue))
        openblas_set_num_threads(configuredBLASThreads)
    }
}

/// The thread count users asked for (OpenBLAS's own default until they set one). Parallel
/// regions restore this rather than what they read on entry, so overlapping regions on
/// different threads cannot leave OpenBLAS single-threaded.
private var configuredBLASThreads: Int32 = openblas_get_num_threads()

/// Runs `body(chunk)` for `chunk` in `0..<chunks` concurrently, with OpenBLAS limited to one
/// thread per call meanwhile, so each core runs its own independent GEMMs (per image, per head)
/// instead of every small GEMM being split across the cores and synchronized; the thread count
/// is restored afterwards.
func concurrentlyWithSingleThreadedBLAS(chunks: Int, _ body: (Int) -> Void) {
    onOneBLASThread { DispatchQueue.concurrentPerform(iterations: chunks, execute: body) }
}

/// Runs `body` with OpenBLAS single-threaded, then restores the configured count; does nothing
/// special when OpenBLAS is single-threaded already (a region inside another, or `threadCount`
/// 1), so an inner region cannot turn threading back on under an outer one.
@inline(__always)
func onOneBLASThread(_ body: () -> Void) {
    let threads = configuredBLASThreads
    guard threads > 1, openblas_get_num_threads() > 1 else { return body() }
    openblas_set_num_threads(1)
    body()
    openblas_set_num_threads(threads)
}

/// One line describing the compute backend: OpenBLAS version and build, the CPU core kernel it
/// selected at run time, and the thread count. For example
/// `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64 · core Zen · 2 threads`.
public var backendDescription: String {
    let config = openblas_get_config().map { String(cString: $0) } ?? "OpenBLAS (unknown build)"
    let core = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    let threads = Int(openblas_get_num_threads())
    return "\(config.trimmingCharacters(in: " ")) · core \(core) · \(threads) thread\(threads == 1 ? "" : "s")"
}

private extension String {
    func trimmingCharacters(in character: Character) -> String {
        var result = Substring(self)
        while result.first == character { result.removeFirst() }
        while result.last == character { result.removeLast() }
        return String(result)
    }
}
