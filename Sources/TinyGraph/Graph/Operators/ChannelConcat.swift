/// A ConcatV2 on the channel axis whose Conv2D inputs are computed straight into
/// the concatenated tensor (`ConcatFusion`): each convolution writes its channels
/// at their offset with the output's pixel stride, so its own output tensor and
/// the copy never exist. Inputs that are not such convolutions are copied in.
/// SqueezeNet's fire modules (expand 1×1 and 3×3 into one concat) are the case it
/// is for.
struct ChannelConcatOp: Equatable {
    enum Part: Equatable {
        /// A packed Conv2D reading runtime input `input`; `outputShape` is what its
        /// own output would have been ([N, H, W, channels]).
        case convolution(ConvolutionOp, input: Int, outputShape: [Int])
        /// Runtime input `input`, copied.
        case copy(input: Int)
    }

    /// In concatenation order.
    var parts: [Part]
    /// Channels each part contributes, in the same order.
    var channels: [Int]
    /// N × H × W of the output.
    var pixels: Int

    var totalChannels: Int { channels.reduce(0, +) }

    /// The convolutions among the parts (for weight and multiply-add counts).
    var convolutions: [(op: ConvolutionOp, outputShape: [Int])] {
        parts.compactMap {
            if case .convolution(let op, _, let shape) = $0 { return (op, shape) }
            return nil
        }
    }

    /// Convolutions and copies split their work over `threads` when given.
    func execute(inputs: [TensorView], outputs: [TensorView], threads: ThreadPool? = nil) {
        let output = outputs[0].floats
        let stride = totalChannels
        var offset = 0
        for (part, count) in zip(parts, channels) {
            switch part {
            case .convolution(let op, let input, let outputShape):
                op.executeConv2D(input: inputs[input], output: output + offset, outputShape: outputShape, outputPixelStride: stride,
                                 threads: threads)
            case .copy(let input):
                let source = UnsafePointer(inputs[input].floats), target = output + offset, pixels = pixels
                let tasks = WorkSplit.taskCount(threads, units: pixels, work: 8 &* pixels &* count, minimum: WorkSplit.minimumParallelBytes)
                guard tasks > 1, let threads else {
                    Self.copy(source, into: target, pixels: 0..<pixels, channels: count, stride: stride)
                    break
                }
                threads.forEach(tasks) { task in
                    Self.copy(source, into: target, pixels: WorkSplit.range(task, of: tasks, count: pixels), channels: count, stride: stride)
                }
            }
            offset &+= count
        }
    }

    /// Copies `channels` floats per pixel of `pixels` into pixels `stride` floats apart.
    private static func copy(
        _ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, pixels: Range<Int>, channels: Int, stride: Int
    ) {
        for pixel in pixels {
            (target + pixel &* stride).update(from: source + pixel &* channels, count: channels)
        }
    }
}
