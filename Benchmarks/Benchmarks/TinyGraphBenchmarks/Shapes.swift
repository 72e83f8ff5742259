@_spi(Kernels) import TinyGraph

/// One convolution layer of a real model, NHWC, batch 1.
struct ConvolutionLayer {
    enum Padding { case same, valid }

    var name: String
    var height: Int
    var width: Int
    var inChannels: Int
    /// Conv2D: filter output channels. Depthwise: equal to `inChannels` (multiplier 1).
    var outChannels: Int
    var kernel: Int
    var stride: Int
    var padding: Padding
    var depthwise: Bool
    var activation: Kernels.Activation

    static func conv(_ name: String, _ size: Int, _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1,
                     padding: Padding = .same, activation: Kernels.Activation = .relu) -> ConvolutionLayer {
        ConvolutionLayer(name: name, height: size, width: size, inChannels: inChannels, outChannels: outChannels, kernel: kernel,
                         stride: stride, padding: padding, depthwise: false, activation: activation)
    }

    static func depthwise(_ name: String, _ size: Int, _ channels: Int, stride: Int, padding: Padding = .same) -> ConvolutionLayer {
        ConvolutionLayer(name: name, height: size, width: size, inChannels: channels, outChannels: channels, kernel: 3,
                         stride: stride, padding: padding, depthwise: true, activation: .relu6)
    }

    /// TensorFlow's SAME/VALID rule resolved to explicit padding (SAME puts the odd
    /// pixel at the bottom/right, so Keras' Pad + VALID stride-2 layers are the same).
    var shape: Kernels.ConvolutionShape {
        let (outHeight, padTop) = Self.resolve(height, kernel, stride, padding)
        let (outWidth, padLeft) = Self.resolve(width, kernel, stride, padding)
        return Kernels.ConvolutionShape(
            batch: 1, inHeight: height, inWidth: width, inChannels: inChannels, kernelHeight: kernel, kernelWidth: kernel,
            outHeight: outHeight, outWidth: outWidth, outChannels: outChannels, strideH: stride, strideW: stride,
            dilationH: 1, dilationW: 1, padTop: padTop, padLeft: padLeft)
    }

    static func resolve(_ size: Int, _ kernel: Int, _ stride: Int, _ padding: Padding) -> (out: Int, padBefore: Int) {
        switch padding {
        case .valid:
            return ((size - kernel) / stride + 1, 0)
        case .same:
            let out = (size + stride - 1) / stride
            let total = max((out - 1) * stride + kernel - size, 0)
            return (out, total / 2)
        }
    }

    var outputSize: (height: Int, width: Int) {
        (Self.resolve(height, kernel, stride, padding).out, Self.resolve(width, kernel, stride, padding).out)
    }

    /// Multiply-adds × 2.
    var flops: Int {
        let (oh, ow) = outputSize
        return 2 * oh * ow * outChannels * kernel * kernel * (depthwise ? 1 : inChannels)
    }
}

/// One pooling layer of a real model, NHWC, batch 1.
struct PoolingLayer {
    var name: String
    var size: Int
    var channels: Int
    var window: Int
    var stride: Int
    var padding: ConvolutionLayer.Padding
    var average: Bool

    var shape: Kernels.PoolingShape {
        let (out, pad) = ConvolutionLayer.resolve(size, window, stride, padding)
        return Kernels.PoolingShape(batch: 1, inHeight: size, inWidth: size, channels: channels, windowHeight: window, windowWidth: window,
                               outHeight: out, outWidth: out, strideH: stride, strideW: stride, padTop: pad, padLeft: pad)
    }

    /// One comparison or addition per window element.
    var flops: Int {
        let out = ConvolutionLayer.resolve(size, window, stride, padding).out
        return out * out * channels * window * window
    }
}

/// SqueezeNet 1.1 at 227×227 (the Custom Vision compact export's trunk): conv1 3×3/2
/// VALID, MaxPool 3×3/2 VALID, fire modules (squeeze 1×1, expand 1×1 and 3×3 SAME).
let squeezeNetConvolutions: [ConvolutionLayer] = [
    .conv("squeezenet.conv1 3x3/2 3>64 227", 227, 3, 64, kernel: 3, stride: 2, padding: .valid),
    .conv("squeezenet.fire2.squeeze 1x1 64>16 56", 56, 64, 16, kernel: 1),
    .conv("squeezenet.fire2.expand1x1 1x1 16>64 56", 56, 16, 64, kernel: 1),
    .conv("squeezenet.fire2.expand3x3 3x3 16>64 56", 56, 16, 64, kernel: 3),
    .conv("squeezenet.fire4.squeeze 1x1 128>32 27", 27, 128, 32, kernel: 1),
    .conv("squeezenet.fire4.expand3x3 3x3 32>128 27", 27, 32, 128, kernel: 3),
    .conv("squeezenet.fire8.squeeze 1x1 384>64 13", 13, 384, 64, kernel: 1),
    .conv("squeezenet.fire8.expand3x3 3x3 64>256 13", 13, 64, 256, kernel: 3),
]

let squeezeNetPools: [PoolingLayer] = [
    PoolingLayer(name: "squeezenet.maxpool1 3x3/2 64ch 113", size: 113, channels: 64, window: 3, stride: 2, padding: .valid, average: false),
    PoolingLayer(name: "squeezenet.maxpool5 3x3/2 256ch 27", size: 27, channels: 256, window: 3, stride: 2, padding: .valid, average: false),
    // SqueezeNet 1.1's global average pool over its last 14×14 map (1000 classes); the
    // Custom Vision export pools 256 channels of 13×13 the same way.
    PoolingLayer(name: "squeezenet.avgpool10 14x14 global 1000ch", size: 14, channels: 1000, window: 14, stride: 1, padding: .valid, average: true),
]

/// MobileNetV2 1.0 at 224×224 (Keras): stem 3×3/2, inverted residual blocks of
/// expand 1×1 + Relu6, depthwise 3×3 + Relu6, project 1×1 (linear).
let mobileNetV2Convolutions: [ConvolutionLayer] = [
    .conv("mobilenetv2.conv1 3x3/2 3>32 224", 224, 3, 32, kernel: 3, stride: 2, activation: .relu6),
    .depthwise("mobilenetv2.block0.depthwise 3x3/1 32ch 112", 112, 32, stride: 1),
    .conv("mobilenetv2.block1.expand 1x1 16>96 112", 112, 16, 96, kernel: 1, activation: .relu6),
    .depthwise("mobilenetv2.block1.depthwise 3x3/2 96ch 112", 112, 96, stride: 2),
    .conv("mobilenetv2.block1.project 1x1 96>24 56", 56, 96, 24, kernel: 1, activation: .none),
    .conv("mobilenetv2.block2.expand 1x1 24>144 56", 56, 24, 144, kernel: 1, activation: .relu6),
    .depthwise("mobilenetv2.block2.depthwise 3x3/1 144ch 56", 56, 144, stride: 1),
    .depthwise("mobilenetv2.block3.depthwise 3x3/2 144ch 56", 56, 144, stride: 2),
    .depthwise("mobilenetv2.block4.depthwise 3x3/1 192ch 28", 28, 192, stride: 1),
    .conv("mobilenetv2.block4.project 1x1 192>32 28", 28, 192, 32, kernel: 1, activation: .none),
    .conv("mobilenetv2.block7.expand 1x1 64>384 14", 14, 64, 384, kernel: 1, activation: .relu6),
    .depthwise("mobilenetv2.block7.depthwise 3x3/1 384ch 14", 14, 384, stride: 1),
    .depthwise("mobilenetv2.block14.depthwise 3x3/1 960ch 7", 7, 960, stride: 1),
    .conv("mobilenetv2.block14.project 1x1 960>160 7", 7, 960, 160, kernel: 1, activation: .none),
    .conv("mobilenetv2.conv_1 1x1 320>1280 7", 7, 320, 1280, kernel: 1, activation: .relu6),
    // The classifier's MatMul on the pooled 1×1280 vector: a 1×1 conv on one pixel
    // (the kernel's matrix-vector path).
    .conv("mobilenetv2.predictions matmul 1280>1000 1", 1, 1280, 1000, kernel: 1, activation: .none),
]
