import COpenBLAS

/// Raw `cblas_sgemm` on plain arrays: the baseline that measures the Dendrite wrapper's overhead.
/// (The only place outside the library that touches the C module: this is its purpose.)
/// Row-major `C[m, n] = op(A)·op(B)` with A stored `[k, m]` when transposed (else `[m, k]`) and
/// B stored `[n, k]` when transposed (else `[k, n]`).
func rawSGEMM(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, a: [Float], b: [Float],
              c: inout [Float]) {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                            Int32(m), Int32(n), Int32(k), 1, pa.baseAddress, Int32(transposeA ? m : k),
                            pb.baseAddress, Int32(transposeB ? k : n), 0, pc.baseAddress, Int32(n))
            }
        }
    }
}
