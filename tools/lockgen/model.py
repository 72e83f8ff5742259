"""The compact lock CNN: Keras model for training, frozen GraphDef for TinyGraph.

Architecture (input S x S x 3, BGR 0-255; S = 128 by default, the crop size):

    data_bn     x * (1/127.5) + (-1)          Mul, Add (per-channel constants)
    stem        3x3/2 conv VALID, w0          Conv2D, BiasAdd, Relu6
    block1..N   3x3 depthwise (stride 2 or 1, SAME), 1x1 conv   DepthwiseConv2dNative,
                                                               Conv2D, BiasAdd, Relu6
    pool        global average                 Mean over H, W
    logits      dense                          MatMul, BiasAdd
    loss        softmax                        Softmax

BatchNorm is used in training and folded into the convolutions' weights and
biases at export, so the frozen graph has only the ops above. The stem is
VALID so TinyGraph can fold ``data_bn`` into it exactly. The export follows the
Azure Custom Vision compact convention: input ``Placeholder`` [-1, S, S, 3],
output ``loss``, labels in ``labels.txt`` one a line in output order.
"""

import numpy as np
import tensorflow as tf

BN_EPSILON = 1e-3
INPUT_SCALE = 1.0 / 127.5
INPUT_SHIFT = -1.0
# (stride, width) of each depthwise-separable block after the stem.
DEFAULT_STEM = 16
DEFAULT_BLOCKS = ((2, 32), (1, 32), (2, 64), (1, 64), (2, 128), (1, 128))


def build_keras(size, n_labels, stem=DEFAULT_STEM, blocks=DEFAULT_BLOCKS, batchnorm=True, dropout=0.2):
    """The training model. With batchnorm=False the convolutions carry biases instead
    (used to fine-tune a frozen export, whose BatchNorm is already folded)."""
    L = tf.keras.layers
    inp = L.Input((size, size, 3), name="bgr")
    x = L.Rescaling(INPUT_SCALE, offset=INPUT_SHIFT, name="data_bn")(inp)

    def norm_act(x, name):
        if batchnorm:
            x = L.BatchNormalization(epsilon=BN_EPSILON, momentum=0.95, name=name + "_bn")(x)
        return L.ReLU(6.0, name=name + "_relu6")(x)

    x = L.Conv2D(stem, 3, strides=2, padding="valid", use_bias=not batchnorm, name="stem")(x)
    x = norm_act(x, "stem")
    for i, (stride, width) in enumerate(blocks, 1):
        x = L.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=not batchnorm, name=f"block{i}_dw")(x)
        x = norm_act(x, f"block{i}_dw")
        x = L.Conv2D(width, 1, use_bias=not batchnorm, name=f"block{i}_pw")(x)
        x = norm_act(x, f"block{i}_pw")
    x = L.GlobalAveragePooling2D(name="pool")(x)
    if dropout:
        x = L.Dropout(dropout, name="dropout")(x)
    x = L.Dense(n_labels, name="logits")(x)
    out = L.Softmax(name="loss")(x)
    return tf.keras.Model(inp, out)


def layer_names(blocks):
    names = ["stem"]
    for i in range(1, len(blocks) + 1):
        names += [f"block{i}_dw", f"block{i}_pw"]
    return names


def folded_weights(model, blocks):
    """{conv name: (kernel, bias)} with BatchNorm folded, plus "logits"."""
    out = {}
    for name in layer_names(blocks):
        layer = model.get_layer(name)
        depthwise = name.endswith("_dw")
        kernel = layer.kernel.numpy().astype(np.float64)  # depthwise: [3, 3, C, 1]
        bias = layer.bias.numpy().astype(np.float64) if layer.use_bias else np.zeros(kernel.shape[2 if depthwise else 3])
        try:
            bn = model.get_layer(name + "_bn")
        except ValueError:
            bn = None
        if bn is not None:
            gamma, beta, mean, var = (w.numpy().astype(np.float64) for w in bn.weights)
            scale = gamma / np.sqrt(var + bn.epsilon)
            if depthwise:  # kernel [3, 3, C, 1]
                kernel = kernel * scale[None, None, :, None]
            else:          # kernel [kh, kw, Cin, Cout]
                kernel = kernel * scale
            bias = (bias - mean) * scale + beta
        out[name] = (kernel.astype(np.float32), bias.astype(np.float32))
    dense = model.get_layer("logits")
    out["logits"] = (dense.kernel.numpy().astype(np.float32), dense.bias.numpy().astype(np.float32))
    return out


def load_into_keras(model, weights, blocks):
    """Set a BatchNorm-free model's weights from folded ones."""
    for name in layer_names(blocks):
        model.get_layer(name).set_weights(list(weights[name]))
    model.get_layer("logits").set_weights(list(weights["logits"]))


def graph_def(weights, blocks, size, n_labels):
    """The frozen inference GraphDef (Custom Vision compact conventions)."""
    g = tf.Graph()
    raw = tf.raw_ops
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, size, size, 3], name="Placeholder")
        with tf.name_scope("data_bn"):
            scale = tf.constant(np.full(3, INPUT_SCALE, np.float32), name="scale")
            shift = tf.constant(np.full(3, INPUT_SHIFT, np.float32), name="shift")
            y = raw.Mul(x=x, y=scale, name="Mul")
            y = raw.Add(x=y, y=shift, name="Add")

        def conv(y, scope, depthwise, stride, padding):
            kernel, bias = weights[scope]
            with tf.name_scope(scope.replace("_dw", "/depthwise").replace("_pw", "/pointwise")):
                k = tf.constant(kernel, name="weights")
                b = tf.constant(bias, name="biases")
                strides = [1, stride, stride, 1]
                if depthwise:
                    y = raw.DepthwiseConv2dNative(input=y, filter=k, strides=strides, padding=padding,
                                                  name="depthwise")
                else:
                    y = raw.Conv2D(input=y, filter=k, strides=strides, padding=padding, name="Conv2D")
                y = raw.BiasAdd(value=y, bias=b, name="BiasAdd")
                return raw.Relu6(features=y, name="Relu6")

        y = conv(y, "stem", False, 2, "VALID")
        for i, (stride, _) in enumerate(blocks, 1):
            y = conv(y, f"block{i}_dw", True, stride, "SAME")
            y = conv(y, f"block{i}_pw", False, 1, "SAME")
        with tf.name_scope("pool"):
            y = raw.Mean(input=y, axis=tf.constant([1, 2], dtype=tf.int32, name="axes"), keep_dims=False,
                         name="Mean")
        with tf.name_scope("logits"):
            kernel, bias = weights["logits"]
            y = raw.MatMul(a=y, b=tf.constant(kernel, name="weights"), name="MatMul")
            y = raw.BiasAdd(value=y, bias=tf.constant(bias, name="biases"), name="BiasAdd")
        raw.Softmax(logits=y, name="loss")
    return g.as_graph_def()


def read_graph_def(path):
    gd = tf.compat.v1.GraphDef()
    with open(path, "rb") as f:
        gd.ParseFromString(f.read())
    return gd


def weights_from_graph(gd):
    """Read this tool's export back: (folded weights, stem width, blocks, input size, n_labels)."""
    consts = {n.name: tf.make_ndarray(n.attr["value"].tensor) for n in gd.node if n.op == "Const"}
    placeholder = next((n for n in gd.node if n.op == "Placeholder" and n.name == "Placeholder"), None)
    if placeholder is None or "stem/weights" not in consts or "data_bn/scale" not in consts:
        raise SystemExit("--init-from: not a model exported by tools/train_lock_model.py "
                         "(needs Placeholder, data_bn/scale, stem/weights ...)")
    dims = [d.size for d in placeholder.attr["shape"].shape.dim]
    size = dims[1]
    weights = {"stem": (consts["stem/weights"], consts["stem/biases"])}
    blocks = []
    dw_strides = {n.name.split("/")[0]: list(n.attr["strides"].list.i)[1]
                  for n in gd.node if n.op == "DepthwiseConv2dNative"}
    i = 1
    while f"block{i}/depthwise/weights" in consts:
        weights[f"block{i}_dw"] = (consts[f"block{i}/depthwise/weights"], consts[f"block{i}/depthwise/biases"])
        weights[f"block{i}_pw"] = (consts[f"block{i}/pointwise/weights"], consts[f"block{i}/pointwise/biases"])
        blocks.append((dw_strides[f"block{i}"], consts[f"block{i}/pointwise/weights"].shape[3]))
        i += 1
    weights["logits"] = (consts["logits/weights"], consts["logits/biases"])
    return weights, consts["stem/weights"].shape[3], tuple(blocks), size, consts["logits/weights"].shape[1]


class FrozenModel:
    """Runs a frozen GraphDef (Placeholder -> loss) with TensorFlow, as make_fixtures.py does."""

    def __init__(self, path, input_name="Placeholder", output_name="loss"):
        gd = read_graph_def(path)
        self.ops = sorted({n.op for n in gd.node})
        placeholder = next(n for n in gd.node if n.name == input_name)
        dims = [d.size for d in placeholder.attr["shape"].shape.dim]
        self.size = dims[1]

        def imported():
            tf.compat.v1.import_graph_def(gd, name="")
        wrapped = tf.compat.v1.wrap_function(imported, [])
        self._fn = wrapped.prune(wrapped.graph.get_tensor_by_name(input_name + ":0"),
                                 wrapped.graph.get_tensor_by_name(output_name + ":0"))

    def __call__(self, batch, chunk=64):
        outs = [self._fn(tf.constant(batch[i:i + chunk], dtype=tf.float32)).numpy()
                for i in range(0, len(batch), chunk)]
        return np.concatenate(outs) if outs else np.zeros((0, 0), np.float32)
