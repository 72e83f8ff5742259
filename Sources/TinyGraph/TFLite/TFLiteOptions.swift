/// The builtin options tables of the ops TinyGraph imports (schema.fbs). Each reads
/// its fields by id and falls back to the schema defaults when the table or a field
/// is absent, as TFLite does.
extension TFLiteModel.Operator {
    /// This operator's options table if it has the `expected` type; nil when it has
    /// none. Another type is an error (the file pairs an op with the wrong options).
    func options(_ expected: TFLiteOptionsType, op: String, node: String) throws(TinyGraphError) -> FlatTable? {
        guard optionsType != 0 else { return nil }
        guard optionsType == expected.rawValue else {
            throw TinyGraphError(.invalidGraph, node: node, op: op, field: "builtin_options",
                                 "has \(TFLiteOptionsType.tableName(optionsType)), expected \(TFLiteOptionsType.tableName(expected.rawValue))")
        }
        return options
    }
}

/// Conv2DOptions: padding (0), stride_w (1), stride_h (2), fused_activation_function
/// (3), dilation_w_factor (4, = 1), dilation_h_factor (5, = 1).
/// DepthwiseConv2DOptions: padding (0), stride_w (1), stride_h (2), depth_multiplier
/// (3), fused_activation_function (4), dilation_w_factor (5, = 1), dilation_h_factor (6, = 1).
struct TFLiteConvolutionOptions {
    var padding: Int8 = 0
    var strideW: Int32 = 0
    var strideH: Int32 = 0
    var depthMultiplier: Int32 = 0
    var activation: Int8 = 0
    var dilationW: Int32 = 1
    var dilationH: Int32 = 1

    init(conv2D table: FlatTable?) throws(TinyGraphError) {
        guard let table else { return }
        padding = try table.int8(0, "padding")
        strideW = try table.int32(1, "stride_w")
        strideH = try table.int32(2, "stride_h")
        activation = try table.int8(3, "fused_activation_function")
        dilationW = try table.int32(4, "dilation_w_factor", default: 1)
        dilationH = try table.int32(5, "dilation_h_factor", default: 1)
    }

    init(depthwise table: FlatTable?) throws(TinyGraphError) {
        guard let table else { return }
        padding = try table.int8(0, "padding")
        strideW = try table.int32(1, "stride_w")
        strideH = try table.int32(2, "stride_h")
        depthMultiplier = try table.int32(3, "depth_multiplier")
        activation = try table.int8(4, "fused_activation_function")
        dilationW = try table.int32(5, "dilation_w_factor", default: 1)
        dilationH = try table.int32(6, "dilation_h_factor", default: 1)
    }
}

/// Pool2DOptions: padding (0), stride_w (1), stride_h (2), filter_width (3),
/// filter_height (4), fused_activation_function (5).
struct TFLitePoolOptions {
    var padding: Int8 = 0
    var strideW: Int32 = 0
    var strideH: Int32 = 0
    var filterWidth: Int32 = 0
    var filterHeight: Int32 = 0
    var activation: Int8 = 0

    init(_ table: FlatTable?) throws(TinyGraphError) {
        guard let table else { return }
        padding = try table.int8(0, "padding")
        strideW = try table.int32(1, "stride_w")
        strideH = try table.int32(2, "stride_h")
        filterWidth = try table.int32(3, "filter_width")
        filterHeight = try table.int32(4, "filter_height")
        activation = try table.int8(5, "fused_activation_function")
    }
}

/// FullyConnectedOptions: fused_activation_function (0), weights_format (1, DEFAULT
/// = 0), keep_num_dims (2).
struct TFLiteFullyConnectedOptions {
    var activation: Int8 = 0
    var weightsFormat: Int8 = 0
    var keepNumDims = false

    init(_ table: FlatTable?) throws(TinyGraphError) {
        guard let table else { return }
        activation = try table.int8(0, "fused_activation_function")
        weightsFormat = try table.int8(1, "weights_format")
        keepNumDims = try table.bool(2, "keep_num_dims")
    }
}

/// The options tables whose only field TinyGraph reads is
/// fused_activation_function at id 0 (AddOptions, SubOptions, MulOptions, DivOptions)
/// or id 1 (ConcatenationOptions, after axis).
func tfliteActivation(_ table: FlatTable?, id: Int) throws(TinyGraphError) -> Int8 {
    guard let table else { return 0 }
    return try table.int8(id, "fused_activation_function")
}

/// ConcatenationOptions: axis (0), fused_activation_function (1).
struct TFLiteConcatenationOptions {
    var axis: Int32 = 0
    var activation: Int8 = 0

    init(_ table: FlatTable?) throws(TinyGraphError) {
        guard let table else { return }
        axis = try table.int32(0, "axis")
        activation = try table.int8(1, "fused_activation_function")
    }
}

/// StridedSliceOptions: begin_mask (0), end_mask (1), ellipsis_mask (2),
/// new_axis_mask (3), shrink_axis_mask (4), offset (5, bool: end is relative to begin).
struct TFLiteStridedSliceOptions {
    var beginMask: Int32 = 0
    var endMask: Int32 = 0
    var ellipsisMask: Int32 = 0
    var newAxisMask: Int32 = 0
    var shrinkAxisMask: Int32 = 0
    var offset = false

    init(_ table: FlatTable?) throws(TinyGraphError) {
        guard let table else { return }
        beginMask = try table.int32(0, "begin_mask")
        endMask = try table.int32(1, "end_mask")
        ellipsisMask = try table.int32(2, "ellipsis_mask")
        newAxisMask = try table.int32(3, "new_axis_mask")
        shrinkAxisMask = try table.int32(4, "shrink_axis_mask")
        offset = try table.bool(5, "offset")
    }
}

/// ResizeBilinearOptions: new_height (0, deprecated), new_width (1, deprecated),
/// align_corners (2), half_pixel_centers (3). ResizeNearestNeighborOptions:
/// align_corners (0), half_pixel_centers (1).
struct TFLiteResizeOptions {
    var alignCorners = false
    var halfPixelCenters = false

    init(bilinear table: FlatTable?) throws(TinyGraphError) {
        guard let table else { return }
        alignCorners = try table.bool(2, "align_corners")
        halfPixelCenters = try table.bool(3, "half_pixel_centers")
    }

    init(nearest table: FlatTable?) throws(TinyGraphError) {
        guard let table else { return }
        alignCorners = try table.bool(0, "align_corners")
        halfPixelCenters = try table.bool(1, "half_pixel_centers")
    }
}

/// PackOptions: values_count (0), axis (1).
struct TFLitePackOptions {
    var valuesCount: Int32 = 0
    var axis: Int32 = 0

    init(_ table: FlatTable?) throws(TinyGraphError) {
        guard let table else { return }
        valuesCount = try table.int32(0, "values_count")
        axis = try table.int32(1, "axis")
    }
}

/// BatchMatMulOptions: adj_x (0), adj_y (1).
struct TFLiteBatchMatMulOptions {
    var adjointX = false
    var adjointY = false

    init(_ table: FlatTable?) throws(TinyGraphError) {
        guard let table else { return }
        adjointX = try table.bool(0, "adj_x")
        adjointY = try table.bool(1, "adj_y")
    }
}

// One-field tables, read where they are used:
// SoftmaxOptions.beta (0, float), LeakyReluOptions.alpha (0, float),
// ReducerOptions.keep_dims (0, bool), SqueezeOptions.squeeze_dims (0, [int]),
// ReshapeOptions.new_shape (0, [int]), SplitOptions.num_splits (0, int),
// SplitVOptions.num_splits (0, int), MirrorPadOptions.mode (0, REFLECT = 0,
// SYMMETRIC = 1), ArgMaxOptions.output_type (0, TensorType), CastOptions
// in_data_type (0) / out_data_type (1), ShapeOptions.out_type (0, TensorType).
