/// The convolution and pooling kernels, for the per-kernel benchmarks of the
/// Benchmarks/ package, which sees only TinyGraph's public API. `@_spi(Kernels)`:
/// visible only to `@_spi(Kernels) import TinyGraph`, not part of the library's API.
///
/// Thin forwarders to the internal kernels (which stay internal, so the unit tests'
/// `@testable import` keeps seeing them): each call runs the same kernel on the same
/// geometry as a model step does, with one extra non-inlined call around it.
@_spi(Kernels) public enum Kernels {
    /// `ConvolutionOp.Activation`: the activation fused into a convolution's epilogue.
    public enum Activation: Equatable, Sendable {
        case none
        case relu
        case relu6
        case leakyRelu(alpha: Float)

        var op: ConvolutionOp.Activation {
            switch self {
            case .none: return .none
            case .relu: return .relu
            case .relu6: return .relu6
            case .leakyRelu(let alpha): return .leakyRelu(alpha: alpha)
            }
        }
    }

    /// `ConvolutionGeometry`: NHWC sizes with padding resolved to explicit numbers.
    public struct ConvolutionShape: Equatable, Sendable {
        let geometry: ConvolutionGeometry

        public init(
            batch: Int, inHeight: Int, inWidth: Int, inChannels: Int, kernelHeight: Int, kernelWidth: Int,
            outHeight: Int, outWidth: Int, outChannels: Int, strideH: Int, strideW: Int, dilationH: Int, dilationW: Int,
            padTop: Int, padLeft: Int
        ) {
            geometry = ConvolutionGeometry(
                batch: batch, inHeight: inHeight, inWidth: inWidth, inChannels: inChannels, kernelHeight: kernelHeight,
                kernelWidth: kernelWidth, outHeight: outHeight, outWidth: outWidth, outChannels: outChannels,
                strideH: strideH, strideW: strideW, dilationH: dilationH, dilationW: dilationW, padTop: padTop, padLeft: padLeft)
        }
    }

    /// `PoolingGeometry`: NHWC sizes with padding resolved to explicit numbers.
    public struct PoolingShape: Equatable, Sendable {
        let geometry: PoolingGeometry

        public init(
            batch: Int, inHeight: Int, inWidth: Int, channels: Int, windowHeight: Int, windowWidth: Int,
            outHeight: Int, outWidth: Int, strideH: Int, strideW: Int, padTop: Int, padLeft: Int
        ) {
            geometry = PoolingGeometry(
                batch: batch, inHeight: inHeight, inWidth: inWidth, channels: channels, windowHeight: windowHeight,
                windowWidth: windowWidth, outHeight: outHeight, outWidth: outWidth, strideH: strideH, strideW: strideW,
                padTop: padTop, padLeft: padLeft)
        }
    }

    /// `PackedConvolutionWeights`: a filter packed once, as at model load.
    public final class PackedWeights {
        let packed: PackedConvolutionWeights

        init(_ packed: PackedConvolutionWeights) { self.packed = packed }

        /// Packs an HWIO Conv2D filter (`shape` = [KH, KW, C, O]).
        public static func conv2D(filter: UnsafePointer<Float>, shape: [Int]) -> PackedWeights {
            PackedWeights(PackedConvolutionWeights.conv2D(filter: UnsafeRawPointer(filter), shape: shape))
        }

        /// Packs a [KH, KW, C, 1] depthwise filter.
        public static func depthwise(filter: UnsafePointer<Float>, shape: [Int]) -> PackedWeights {
            PackedWeights(PackedConvolutionWeights.depthwise(filter: UnsafeRawPointer(filter), shape: shape))
        }

        /// Adds a per-output-channel bias (a folded BiasAdd).
        public func addBias(_ bias: UnsafePointer<Float>) { packed.addBias(bias) }
    }

    public static func simdConv2D(
        input: UnsafePointer<Float>, weights: PackedWeights, output: UnsafeMutablePointer<Float>, shape: ConvolutionShape,
        activation: Activation
    ) {
        SIMDConvolution.conv2D(input: input, weights: weights.packed, output: output, geometry: shape.geometry, activation: activation.op)
    }

    public static func simdDepthwise(
        input: UnsafePointer<Float>, weights: PackedWeights, output: UnsafeMutablePointer<Float>, shape: ConvolutionShape,
        activation: Activation
    ) {
        SIMDDepthwise.depthwise(input: input, weights: weights.packed, output: output, geometry: shape.geometry, activation: activation.op)
    }

    /// The reference Conv2D on the unpacked HWIO filter, without bias or activation.
    public static func referenceConv2D(
        input: UnsafePointer<Float>, filter: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, shape: ConvolutionShape
    ) {
        ReferenceConvolution.conv2D(input: input, filter: filter, output: output, geometry: shape.geometry)
    }

    /// The reference depthwise convolution on the unpacked filter, without bias or activation.
    public static func referenceDepthwise(
        input: UnsafePointer<Float>, filter: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, shape: ConvolutionShape
    ) {
        ReferenceConvolution.depthwise(input: input, filter: filter, output: output, geometry: shape.geometry)
    }

    public static func simdMaxPool(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, shape: PoolingShape) {
        SIMDPooling.maxPool(input: input, output: output, geometry: shape.geometry)
    }

    public static func simdAvgPool(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, shape: PoolingShape) {
        SIMDPooling.avgPool(input: input, output: output, geometry: shape.geometry)
    }

    public static func referenceMaxPool(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, shape: PoolingShape) {
        ReferencePooling.maxPool(input: input, output: output, geometry: shape.geometry)
    }

    public static func referenceAvgPool(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, shape: PoolingShape) {
        ReferencePooling.avgPool(input: input, output: output, geometry: shape.geometry)
    }
}
