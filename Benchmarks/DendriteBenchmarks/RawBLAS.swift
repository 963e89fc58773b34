import COpenBLAS

/// Raw `cblas_sgemm` on plain arrays: the baseline that measures the Dendrite wrapper's overhead.
/// (The only place outside the library that touches the C module: this is its purpose.)
func rawSGEMM(m: Int, n: Int, k: Int, a: [Float], b: [Float], c: inout [Float]) {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
                            pa.baseAddress, Int32(k), pb.baseAddress, Int32(n), 0, pc.baseAddress, Int32(n))
            }
        }
    }
}
