/// How `SIMDConvolution.conv2D` splits one convolution over threads: tasks of one
/// image × a chunk of output pixels (whole pixel blocks) × a chunk of 32-channel
/// panels. Layers with large filters (the late 1×1 convolutions, 7×7 or 14×14
/// pixels with hundreds of kilobytes of weights) split by panels first, so each
/// thread streams its own part of the weights; the others split by pixels, each
/// thread reading all the (small) weights and its own rows of the input. Either way
/// enough tasks for every thread, and a second dimension when the first has too few
/// (49 pixels are only 7 blocks of 8).
struct ConvolutionSplit {
    let pixelParts: Int
    let panelParts: Int
    /// Images (the batch) when split, else 1 (one task computes them all).
    let images: Int
    let imagePixels: Int
    let panelCount: Int

    var taskCount: Int { images &* pixelParts &* panelParts }

    init(_ g: ConvolutionGeometry, _ weights: PackedConvolutionWeights, threads: ThreadPool?) {
        imagePixels = g.outHeight &* g.outWidth
        panelCount = weights.panelCount
        let blocks = (imagePixels &+ SIMDConvolution.pixelBlock &- 1) / SIMDConvolution.pixelBlock
        let multiplyAdds = g.batch &* imagePixels &* g.outChannels &* g.kernelHeight &* g.kernelWidth &* g.inChannels
        let target = WorkSplit.taskCount(threads, units: g.batch &* blocks &* panelCount, work: multiplyAdds,
                                         minimum: WorkSplit.minimumParallelMultiplyAdds)
        guard target > 1 else {
            pixelParts = 1
            panelParts = 1
            images = 1
            return
        }
        images = g.batch
        let perImage = max((target &+ g.batch &- 1) / g.batch, 1)
        let weightBytes = panelCount &* weights.panelStride &* 4
        if weightBytes > SIMDConvolution.panelGroupBytes && panelCount > 1 {
            panelParts = min(panelCount, perImage)
            pixelParts = min(blocks, (perImage &+ panelParts &- 1) / panelParts)
        } else {
            pixelParts = min(blocks, perImage)
            panelParts = min(panelCount, (perImage &+ pixelParts &- 1) / pixelParts)
        }
    }

    /// The image, pixels and panels of task `task`.
    @inline(__always)
    func part(_ task: Int) -> (batch: Int, pixels: Range<Int>, panels: Range<Int>) {
        let perImage = pixelParts &* panelParts
        let batch = task / perImage
        let rest = task &- batch &* perImage
        let pixelPart = rest / panelParts
        let panelPart = rest &- pixelPart &* panelParts
        return (batch,
                WorkSplit.range(pixelPart, of: pixelParts, count: imagePixels, granule: SIMDConvolution.pixelBlock),
                WorkSplit.range(panelPart, of: panelParts, count: panelCount))
    }
}
