/// How this build's SIMD kernels were compiled, for benchmark reports: the same
/// source runs at very different speeds depending on the build flags
/// (see `scripts/release-flags.sh`).
public enum KernelConfiguration {
    /// True when `multiplyAdd` is one fused instruction (arm64, or `TINYGRAPH_FMA`).
    public static var fusedMultiplyAdd: Bool {
        #if arch(arm64) || TINYGRAPH_FMA
        return true
        #else
        return false
        #endif
    }

    /// Output pixels per Conv2D micro-kernel block (8 with `TINYGRAPH_AVX512`).
    public static var convolutionPixelBlock: Int { SIMDConvolution.pixelBlock }

    /// One line, e.g. "x86_64, fused multiply-add, 8-pixel conv blocks (AVX-512)".
    public static var summary: String {
        #if arch(x86_64)
        let architecture = "x86_64"
        #elseif arch(arm64)
        let architecture = "arm64"
        #elseif arch(arm)
        let architecture = "arm"
        #else
        let architecture = "other"
        #endif
        var parts = [architecture, fusedMultiplyAdd ? "fused multiply-add" : "separate multiply and add"]
        #if TINYGRAPH_AVX512
        parts.append("\(convolutionPixelBlock)-pixel conv blocks (AVX-512)")
        #else
        parts.append("\(convolutionPixelBlock)-pixel conv blocks")
        #endif
        return parts.joined(separator: ", ")
    }
}
