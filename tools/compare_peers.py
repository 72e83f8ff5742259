#!/usr/bin/env python3
"""Compare TinyGraph's latency with other CPU inference engines, on one thread or on N.

Run from the repository root after tools/make_bench_models.py (see tools/README.md):

    tools/.venv/bin/python tools/compare_peers.py --tinygraph .build-native/release/tinygraph \\
        [--models fruits,mobilenetv2-224,shufflenetv2] [--runs 50] [--threads 2] [--json-out results.json]

For every model in tools/.bench-models/<name>/ (model.pb, input.f32, meta.json)
the script

1. builds the peers, all with ONE thread (``--threads N``: see below):
   * ``tf``              TensorFlow: the GraphDef imported into a tf.compat.v1
                         Session (intra/inter-op threads 1; grappler and oneDNN on,
                         TF's defaults).  Also the reference output.
   * ``litert-xnnpack``  LiteRT (ai-edge-litert) Interpreter, num_threads=1, on a
                         float32 .tflite from tf.compat.v1.lite.TFLiteConverter.
                         from_frozen_graph; XNNPACK is its default delegate and
                         the script checks that a DELEGATE node was created.
   * ``litert-builtin``  the same .tflite with OpResolverType.
                         BUILTIN_WITHOUT_DEFAULT_DELEGATES (LiteRT's own kernels).
   * ``onnxruntime``     onnxruntime CPU on tf2onnx.convert.from_graph_def's model
                         (intra/inter-op threads 1, sequential execution).
   * ``tract``           sonos tract (Python package ``tract``) on the same .onnx.
   * ``tinygraph``       the TinyGraph CLI: ``tinygraph run`` for the output,
                         ``tinygraph bench --json`` for the timing (N runs timed
                         inside one process by TinyGraph itself).
2. checks every engine's output against TensorFlow's (max abs difference must be
   <= 1e-4 * max(1, max|ref|), otherwise the script stops with exit code 1);
3. times the engines in rounds: every round runs each engine (in rotating
   order) for ``--warmup`` untimed and ``runs/rounds`` timed inferences, so
   machine noise hits all engines alike.  An engine's ``median`` is the median
   of its per-round medians (the same estimator for every engine, since
   TinyGraph's bench reports only a median and a min per process) and ``min``
   is the fastest single run;
4. measures the "whole job": wall time and peak RSS of one ``tinygraph run``
   process (start, load, one inference, write, exit) against a fresh Python
   process doing the same with LiteRT's Interpreter (import, load the .tflite,
   one inference, write, exit); median of ``--process-runs`` alternating runs,
   peak RSS (max resident set) as reported by GNU ``/usr/bin/time``, which
   also launches ``tinygraph bench`` so that its own ``peak_rss_bytes`` is
   not inflated by this Python process (see run_child).

``--threads N`` (N > 1) builds every peer with N threads (TensorFlow's and
onnxruntime's intra-op threads, LiteRT's num_threads) and also with one, times all
of them in the same rounds, and runs ``tinygraph bench --threads N``, which times
N threads and one alternately in one process; tract has no thread setting and runs
on one. The main table is then at N threads, and a scaling table gives each
engine's one-thread and N-thread medians and their ratio. The whole job stays on
one thread (a watcher's check).

It prints one Markdown table per model and optionally writes everything to
``--json-out``.  The converted model.tflite and model.onnx are cached next to
model.pb (tools/.bench-models is git-ignored).
"""

import os

# One thread everywhere, before any numerical library is imported (--threads sets the
# engines' own thread counts explicitly).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS",
             "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from importlib import metadata  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from agreement import compare  # noqa: E402

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
BENCH_DIR = TOOLS / ".bench-models"
ALL_MODELS = ("fruits", "mobilenetv2-224", "shufflenetv2")
ALL_ENGINES = ("tf", "litert-xnnpack", "litert-builtin", "onnxruntime", "tract", "tinygraph")
ONNX_OPSET = 17
REL_TOL = 1e-4

# The "whole job" in a fresh Python process with LiteRT: import, load, one inference, write, exit.
LITERT_JOB = """
import sys
import numpy as np
from ai_edge_litert.interpreter import Interpreter
it = Interpreter(model_path=sys.argv[1], num_threads=1)
it.allocate_tensors()
i = it.get_input_details()[0]
o = it.get_output_details()[0]
it.set_tensor(i["index"], np.fromfile(sys.argv[2], dtype="<f4").reshape(i["shape"]))
it.invoke()
np.asarray(it.get_tensor(o["index"]), dtype="<f4").tofile(sys.argv[3])
"""


class Fail(Exception):
    pass


def version(pkg):
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return None


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def loadavg():
    try:
        return [float(v) for v in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None


def cpu_model():
    """'model name (family F model M, N MHz now)' from /proc/cpuinfo."""
    info = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if ":" in line:
                k, v = (part.strip() for part in line.split(":", 1))
                info.setdefault(k, v)
    except OSError:
        return platform.processor() or platform.machine()
    name = info.get("model name", platform.machine())
    if "cpu family" in info:
        name += f" (family {info['cpu family']} model {info.get('model', '?')}"
        name += f", {float(info['cpu MHz']):.0f} MHz now)" if "cpu MHz" in info else ")"
    return name


GNU_TIME = "/usr/bin/time"


def run_child(cmd, env=None):
    """Run ``cmd`` to completion; returns a dict with rc, wall_s, peak_rss_bytes,
    cpu_s, stdout, stderr of that child alone.

    The child is started through GNU time (``/usr/bin/time -f '%M %U %S'``):
    Linux's ru_maxrss of a process forked from this (large) Python process
    starts at the parent's RSS at fork time, so os.wait4 or the child's own
    getrusage would report Python + TensorFlow's RSS.  GNU time is a small
    process, so the command it forks gets a clean high-water mark.  Wall time
    is measured here (it includes GNU time's own fork/exec, about a
    millisecond, alike for every command).  Without GNU time, peak RSS is None.
    """
    with tempfile.TemporaryDirectory() as tmp:
        usage = Path(tmp) / "rusage"
        full = [GNU_TIME, "-f", "%M %U %S", "-o", str(usage), *cmd] if HAVE_GNU_TIME else list(cmd)
        t0 = time.perf_counter()
        p = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        wall = time.perf_counter() - t0
        rss = cpu = None
        if HAVE_GNU_TIME:
            try:
                fields = usage.read_text().split()[-3:]  # a "Command exited with non-zero status" line may precede
                rss, cpu = int(fields[0]) * 1024, float(fields[1]) + float(fields[2])
            except (OSError, ValueError, IndexError):
                pass
    return {"rc": p.returncode, "wall_s": wall, "peak_rss_bytes": rss, "cpu_s": cpu,
            "stdout": p.stdout.decode(errors="replace"), "stderr": p.stderr.decode(errors="replace")}


HAVE_GNU_TIME = os.access(GNU_TIME, os.X_OK)


# --------------------------------------------------------------------------
# Engines
# --------------------------------------------------------------------------

class PyEngine:
    """An engine running inside this Python process: ``fn()`` is one inference
    (feed the input, run, fetch the output as numpy)."""

    def __init__(self, key, label, fn, info=None):
        self.key, self.label, self.fn, self.info = key, label, fn, info or {}

    def output(self):
        return np.asarray(self.fn())

    def timed(self, runs, warmup):
        fn = self.fn
        for _ in range(warmup):
            fn()
        times = []
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            c0, w0 = time.process_time(), time.perf_counter()
            for _ in range(runs):
                t = time.perf_counter_ns()
                fn()
                times.append((time.perf_counter_ns() - t) / 1e6)
            cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        finally:
            if gc_was_enabled:
                gc.enable()
        return {"median_ms": statistics.median(times), "min_ms": min(times), "times_ms": times,
                "cpu_s": cpu, "wall_s": wall}


class TinyGraphEngine:
    """The TinyGraph CLI on ``model`` (default: the model folder's model.pb and its
    meta.json output node; a .tflite with one output needs no node)."""

    def __init__(self, exe, model_dir, meta, has_bench, threads=1, model=None, key="tinygraph", label="TinyGraph"):
        self.exe, self.dir, self.meta, self.has_bench, self.threads = exe, model_dir, meta, has_bench, threads
        self.key = key
        self.model = model or model_dir / "model.pb"
        self.node = ["--output-node", meta["output"]] if self.model.suffix == ".pb" else []
        self.label = label if has_bench else f"{label} (`run` processes: NOT in-process latency)"
        self.info = {"mode": "bench --json" if has_bench else "run process wall time (bench unavailable)",
                     "model": str(self.model)}
        self.last_bench = None

    def run_cmd(self, out_path):
        return [self.exe, "run", str(self.model), "--input", str(self.dir / "input.f32"),
                "--output", str(out_path), *self.node]

    def output(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.f32"
            proc = subprocess.run(self.run_cmd(out), capture_output=True, text=True)
            if proc.returncode != 0:
                raise Fail(f"tinygraph run failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
            return np.fromfile(out, dtype="<f4")

    def timed(self, runs, warmup):
        if not self.has_bench:
            times, cpu, wall = [], 0.0, 0.0
            with tempfile.TemporaryDirectory() as tmp:
                cmd = self.run_cmd(Path(tmp) / "out.f32")
                for i in range(warmup + runs):
                    c = run_child(cmd)
                    if c["rc"] != 0:
                        raise Fail(f"tinygraph run failed ({c['rc']}): {c['stderr'].strip()}")
                    if i >= warmup:
                        times.append(c["wall_s"] * 1e3)
                        cpu += c["cpu_s"] or 0.0
                        wall += c["wall_s"]
            return {"median_ms": statistics.median(times), "min_ms": min(times), "times_ms": times,
                    "cpu_s": cpu, "wall_s": wall}
        cmd = [self.exe, "bench", str(self.model), "--input", str(self.dir / "input.f32"),
               *self.node, "--runs", str(runs), "--warmup", str(warmup), "--json"]
        if self.threads != 1:
            cmd += ["--threads", str(self.threads)]
        c = run_child(cmd)
        rc, text, err = c["rc"], c["stdout"], c["stderr"]
        if rc != 0:
            raise Fail(f"tinygraph bench failed ({rc}): {err.strip() or text.strip()}")
        try:
            report = json.loads(text[text.index("{"):text.rindex("}") + 1])
        except ValueError as e:
            raise Fail(f"tinygraph bench --json printed no JSON object: {text[:300]!r}") from e
        for k in ("median_ms", "min_ms", "runs"):
            if k not in report:
                raise Fail(f"tinygraph bench --json lacks {k!r}: {sorted(report)}")
        if report["runs"] != runs:
            raise Fail(f"tinygraph bench ran {report['runs']} runs, asked for {runs}")
        if self.threads != 1 and (report.get("threads") != self.threads or report.get("one_thread_median_ms") is None):
            raise Fail(f"tinygraph bench --threads {self.threads} reported threads={report.get('threads')!r} "
                       f"and no one-thread median: is the binary older than --threads?")
        self.last_bench = report
        res = {"median_ms": float(report["median_ms"]), "min_ms": float(report["min_ms"]),
               "cpu_s": c["cpu_s"] or 0.0, "wall_s": c["wall_s"], "bench": report}
        if report.get("one_thread_median_ms") is not None:
            res["one_thread_median_ms"] = float(report["one_thread_median_ms"])
        if isinstance(report.get("times_ms"), list):
            res["times_ms"] = [float(t) for t in report["times_ms"]]
        return res


def tinygraph_has_bench(exe):
    try:
        p = subprocess.run([exe, "bench", "--help"], capture_output=True, text=True, timeout=60)
    except OSError as e:
        raise Fail(f"cannot run TinyGraph CLI {exe}: {e}") from e
    return "--runs" in p.stdout + p.stderr and "--json" in p.stdout + p.stderr


def make_tf(tf, gd, meta, x, threads=1, key="tf"):
    v1 = tf.compat.v1
    g = tf.Graph()
    with g.as_default():
        v1.import_graph_def(gd, name="")
    cfg = v1.ConfigProto(intra_op_parallelism_threads=threads, inter_op_parallelism_threads=1)
    sess = v1.Session(graph=g, config=cfg)
    inp = g.get_tensor_by_name(meta["input"] + ":0")
    out = g.get_tensor_by_name(meta["output"] + ":0")
    feed = {inp: x}

    def fn():
        return sess.run(out, feed)

    return PyEngine(key, f"TensorFlow {tf.__version__}{thread_label(threads)}", fn,
                    {"session": f"tf.compat.v1.Session, intra-op threads {threads}, inter-op 1, grappler + oneDNN defaults",
                     "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default")})


def convert_tflite(tf, model_dir, meta):
    conv = tf.compat.v1.lite.TFLiteConverter.from_frozen_graph(
        str(model_dir / "model.pb"), [meta["input"]], [meta["output"]], {meta["input"]: meta["input_shape"]})
    conv.optimizations = []  # float32, no quantization
    data = conv.convert()
    path = model_dir / "model.tflite"
    path.write_bytes(data)
    return path, data


def xnnpack_coverage(it):
    """Inspect the interpreter's nodes after allocate_tensors: the default
    delegate adds DELEGATE nodes (one per partition).  Returns a dict."""
    ops = it._get_ops_details()  # noqa: SLF001 (no public API for this)
    delegates = [o for o in ops if o["op_name"] == "DELEGATE"]
    originals = [o for o in ops if o["op_name"] != "DELEGATE"]
    produced = set()
    consumed = set()
    for d in delegates:
        produced.update(int(t) for t in d["outputs"])
        consumed.update(int(t) for t in d["inputs"])
    out_idx = {int(o["index"]) for o in it.get_output_details()}
    # Original nodes feeding a delegate partition, or producing a model output
    # the delegate does not produce, ran outside XNNPACK.
    outside = sorted({o["op_name"] for o in originals
                      if any(int(t) in consumed for t in o["outputs"])
                      or any(int(t) in out_idx - produced for t in o["outputs"])})
    return {"delegate_partitions": len(delegates), "output_from_delegate": out_idx <= produced,
            "ops_outside_delegate": outside, "ops_total": len(originals)}


def make_litert(key, tfl_data, x, xnnpack, threads=1):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    resolver = OpResolverType.AUTO if xnnpack else OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    it = Interpreter(model_content=tfl_data, num_threads=threads, experimental_op_resolver_type=resolver)
    it.allocate_tensors()
    cov = xnnpack_coverage(it)
    if xnnpack:
        if cov["delegate_partitions"] == 0:
            raise Fail("LiteRT: XNNPACK (default delegate) was NOT applied: no DELEGATE node after allocate_tensors")
        if not cov["output_from_delegate"] or cov["ops_outside_delegate"]:
            log(f"  warning: XNNPACK covers only part of the graph: {cov}")
    elif cov["delegate_partitions"]:
        raise Fail("LiteRT BUILTIN_WITHOUT_DEFAULT_DELEGATES still has a DELEGATE node")
    i = it.get_input_details()[0]["index"]
    o = it.get_output_details()[0]["index"]
    xx = x.reshape(it.get_input_details()[0]["shape"])

    def fn():
        it.set_tensor(i, xx)
        it.invoke()
        return it.get_tensor(o)

    v = version("ai-edge-litert")
    label = (f"LiteRT {v} XNNPACK" if xnnpack else f"LiteRT {v} builtin (no XNNPACK)") + thread_label(threads)
    return PyEngine(key, label, fn, {"xnnpack": cov, "interpreter": it})


def convert_onnx(tf, gd, model_dir, meta):
    import tf2onnx
    logging.getLogger("tf2onnx").setLevel(logging.ERROR)
    model_proto, _ = tf2onnx.convert.from_graph_def(
        gd, input_names=[meta["input"] + ":0"], output_names=[meta["output"] + ":0"], opset=ONNX_OPSET,
        shape_override={meta["input"] + ":0": meta["input_shape"]})
    path = model_dir / "model.onnx"
    data = model_proto.SerializeToString()
    path.write_bytes(data)
    return path, data, sorted({n.op_type for n in model_proto.graph.node})


def make_ort(onnx_data, x, onnx_ops, threads=1, key="onnxruntime"):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(onnx_data, so, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    feed = {name: x}
    out = [sess.get_outputs()[0].name]

    def fn():
        return sess.run(out, feed)[0]

    return PyEngine(key, f"onnxruntime {ort.__version__} (tf2onnx {version('tf2onnx')}, opset {ONNX_OPSET}){thread_label(threads)}",
                    fn, {"providers": sess.get_providers(), "onnx_ops": onnx_ops})


def make_tract(onnx_path, x):
    import tract
    im = tract.onnx().load(str(onnx_path))
    im.set_input_fact(0, ",".join(str(d) for d in x.shape) + ",f32")
    runnable = im.into_model().into_runnable()
    state = runnable.spawn_state()

    def fn():
        return state.run([x])[0].to_numpy()

    return PyEngine("tract", f"tract {tract.version()}", fn, {"runnable": runnable})


# --------------------------------------------------------------------------
# Per model
# --------------------------------------------------------------------------

def thread_label(threads):
    return "" if threads == 1 else f", {threads} threads"


def one_thread_key(key):
    """The key of an engine's one-thread twin (built when --threads is above 1)."""
    return key + "@1"


def build_engines(tf, model_dir, meta, x, wanted, tinygraph, has_bench, threads=1):
    """Returns (engines in ALL_ENGINES order, TF first, each followed by its
    one-thread twin when threads > 1, {key: error}, artefacts)."""
    gd = tf.compat.v1.GraphDef()
    gd.ParseFromString((model_dir / "model.pb").read_bytes())
    engines, errors, art = {}, {}, {}
    engines["tf"] = make_tf(tf, gd, meta, x, threads)  # always: it is the reference
    if threads > 1:
        engines[one_thread_key("tf")] = make_tf(tf, gd, meta, x, 1, one_thread_key("tf"))

    tfl_data = None  # converted even when LiteRT is not timed: the whole-job comparison uses it
    try:
        t0 = time.perf_counter()
        art["tflite"], tfl_data = convert_tflite(tf, model_dir, meta)
        art["tflite_convert_s"] = time.perf_counter() - t0
    except Exception as e:  # noqa: BLE001
        errors["litert-xnnpack"] = errors["litert-builtin"] = f"TFLite conversion failed: {e}"
    for key, xnn in (("litert-xnnpack", True), ("litert-builtin", False)):
        if key in wanted and tfl_data is not None:
            try:
                engines[key] = make_litert(key, tfl_data, x, xnn, threads)
                if threads > 1:
                    engines[one_thread_key(key)] = make_litert(one_thread_key(key), tfl_data, x, xnn, 1)
            except Fail:
                raise
            except Exception as e:  # noqa: BLE001
                errors[key] = f"{type(e).__name__}: {e}"

    if {"onnxruntime", "tract"} & wanted:
        try:
            t0 = time.perf_counter()
            onnx_path, onnx_data, onnx_ops = convert_onnx(tf, gd, model_dir, meta)
            art["onnx_convert_s"] = time.perf_counter() - t0
            art["onnx"] = onnx_path
        except Exception as e:  # noqa: BLE001
            onnx_path = None
            errors["onnxruntime"] = errors["tract"] = f"tf2onnx conversion failed: {type(e).__name__}: {e}"
        if onnx_path is not None:
            if "onnxruntime" in wanted:
                try:
                    engines["onnxruntime"] = make_ort(onnx_data, x, onnx_ops, threads)
                    if threads > 1:
                        engines[one_thread_key("onnxruntime")] = make_ort(onnx_data, x, onnx_ops, 1, one_thread_key("onnxruntime"))
                except Exception as e:  # noqa: BLE001
                    errors["onnxruntime"] = f"{type(e).__name__}: {e}"
            if "tract" in wanted:
                if version("tract") is None:
                    errors["tract"] = "Python package `tract` not installed"
                else:
                    try:
                        engines["tract"] = make_tract(onnx_path, x)
                    except Exception as e:  # noqa: BLE001
                        errors["tract"] = f"{type(e).__name__}: {e}"
    engines["tinygraph"] = TinyGraphEngine(tinygraph, model_dir, meta, has_bench, threads)
    order = [k for base in ALL_ENGINES for k in (base, one_thread_key(base)) if k in engines]
    return [engines[k] for k in order], {k: v for k, v in errors.items() if k in wanted}, art


def check_outputs(engines, ref_engine):
    ref = ref_engine.output().astype(np.float32)
    tol = REL_TOL * max(1.0, float(np.max(np.abs(ref))))
    diffs, bad = {}, []
    for e in engines:
        out = ref if e is ref_engine else np.asarray(e.output(), dtype=np.float32)
        if out.size != ref.size:
            bad.append(f"{e.label}: {out.size} values, TensorFlow gives {ref.size} {list(ref.shape)}")
            diffs[e.key] = None
            continue
        comparison = compare(out, ref)
        diffs[e.key] = comparison.worst
        if not comparison.within(tol):
            bad.append(f"{e.label}: {comparison.describe()} (tolerance {tol:.3g}; "
                       f"argmax {int(np.argmax(out))} vs TF {int(np.argmax(ref))})")
    return ref, tol, diffs, bad


def whole_job(tinygraph, model_dir, meta, tflite_path, ref, tol, n):
    """n alternating process runs of each job (after one untimed run of each)."""
    results = {"tinygraph run": [], "python + LiteRT": []}
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        tg_out, lr_out = Path(tmp) / "tg.f32", Path(tmp) / "lr.f32"
        jobs = {
            "tinygraph run": ([tinygraph, "run", str(model_dir / "model.pb"), "--input", str(model_dir / "input.f32"),
                               "--output", str(tg_out), "--output-node", meta["output"]], tg_out),
            "python + LiteRT": ([sys.executable, "-c", LITERT_JOB, str(tflite_path), str(model_dir / "input.f32"),
                                 str(lr_out)], lr_out),
        }
        for i in range(n + 1):
            for name, (cmd, out) in (jobs.items() if i % 2 == 0 else reversed(list(jobs.items()))):
                c = run_child(cmd, env)
                if c["rc"] != 0:
                    raise Fail(f"whole job {name!r} failed ({c['rc']}): {c['stderr'].strip()[-500:]}")
                if i == 0:  # untimed: warms the page cache; check the output once
                    got = np.fromfile(out, dtype="<f4")
                    comparison = compare(got, ref)
                    if not comparison.within(tol):
                        raise Fail(f"whole job {name!r}: output differs from TF: {comparison.describe()} "
                                   f"(tolerance {tol:.3g})")
                    continue
                results[name].append({"wall_ms": c["wall_s"] * 1e3, "peak_rss_bytes": c["peak_rss_bytes"],
                                      "cpu_ms": None if c["cpu_s"] is None else c["cpu_s"] * 1e3})
    def med(rows, k):
        vals = [r[k] for r in rows if r[k] is not None]
        return statistics.median(vals) if vals else None

    return {name: {"wall_ms_median": med(rows, "wall_ms"), "wall_ms_min": min(r["wall_ms"] for r in rows),
                   "peak_rss_bytes_median": med(rows, "peak_rss_bytes"), "cpu_ms_median": med(rows, "cpu_ms"),
                   "samples": rows}
            for name, rows in results.items()}


def time_rounds(engines, runs, rounds, warmup):
    per_round = max(1, -(-runs // rounds))
    res = {e.key: [] for e in engines}
    for r in range(rounds):
        order = engines[r % len(engines):] + engines[:r % len(engines)]
        for e in order:
            res[e.key].append(e.timed(per_round, warmup))
        log(f"  round {r + 1}/{rounds}: " + ", ".join(f"{e.key} {res[e.key][-1]['median_ms']:.2f}" for e in engines))
    out = {}
    for e in engines:
        rr = res[e.key]
        entry = {
            "label": e.label,
            "median_ms": statistics.median(x["median_ms"] for x in rr),
            "min_ms": min(x["min_ms"] for x in rr),
            "round_medians_ms": [x["median_ms"] for x in rr],
            "round_mins_ms": [x["min_ms"] for x in rr],
            "runs": per_round * rounds,
            "cpu_per_wall": sum(x["cpu_s"] for x in rr) / max(1e-9, sum(x["wall_s"] for x in rr)),
        }
        if all("times_ms" in x for x in rr):
            pooled = [t for x in rr for t in x["times_ms"]]
            entry["pooled_median_ms"] = statistics.median(pooled)
            entry["times_ms"] = pooled
        if rr and "bench" in rr[-1]:
            entry["bench_last_round"] = rr[-1]["bench"]
        if all("one_thread_median_ms" in x for x in rr) and rr:
            entry["one_thread_median_ms"] = statistics.median(x["one_thread_median_ms"] for x in rr)
        out[e.key] = entry
    return out, per_round


def fmt_bytes(n):
    return f"{n / 1e6:.1f} MB"


def print_model_report(name, meta, r, args):
    t = r["timing"]
    tg = t.get("tinygraph")
    shape = "×".join(str(d) for d in meta["input_shape"])
    print(f"\n### {name} (input {shape}, output `{meta['output']}` {meta.get('output_shape')})\n")
    threads = f"{args.threads} threads (tract: 1, it has no thread setting)" if args.threads > 1 else "1 thread"
    print(f"{r['runs']} timed runs per engine in {args.rounds} rounds of {r['per_round']} (+{args.warmup} warm-up "
          f"each round), {threads}; load average before/after {r['loadavg_before']} / {r['loadavg_after']}.\n")
    print("| engine | median ms | min ms | TinyGraph ÷ engine | max abs diff vs TF | CPU/wall |")
    print("|---|---:|---:|---:|---:|---:|")
    for key in ALL_ENGINES:
        if key in t:
            e = t[key]
            ratio = f"{tg['median_ms'] / e['median_ms']:.2f}" if tg else "–"
            d = r["max_abs_diff"].get(key)
            dtxt = "reference" if key == "tf" else ("–" if d is None else f"{d:.2e}")
            print(f"| {e['label']} | {e['median_ms']:.3f} | {e['min_ms']:.3f} | {ratio} | {dtxt} | "
                  f"{e['cpu_per_wall']:.2f} |")
        elif key in r["errors"]:
            print(f"| {key} | – | – | – | not run: {r['errors'][key]} | – |")
    print(f"\nTolerance {r['tolerance']:.3g} (1e-4 × max(1, max|TF|)). TinyGraph ÷ engine < 1 means TinyGraph is faster.")
    if args.threads > 1:
        print_scaling_table(t, args.threads)
    xnn = r.get("xnnpack")
    if xnn:
        print(f"XNNPACK: {xnn['delegate_partitions']} delegate partition(s) over {xnn['ops_total']} TFLite ops, "
              f"output from delegate: {xnn['output_from_delegate']}, ops outside: {xnn['ops_outside_delegate'] or 'none'}.")
    b = tg.get("bench_last_round") if tg else None
    if b:
        ops = sorted(b.get("ops", []), key=lambda o: -o.get("ms", 0))[:5]
        print(f"TinyGraph bench: {b.get('gflops', 0):.1f} GFLOP/s, weights {fmt_bytes(b.get('weight_bytes', 0))}, "
              f"arena {fmt_bytes(b.get('arena_bytes', 0))}, peak RSS {fmt_bytes(b.get('peak_rss_bytes', 0))}; "
              "slowest op types: " + ", ".join(f"{o['op']}×{o.get('count', '?')} {o['ms']:.2f} ms" for o in ops))
    elif tg:
        print("TinyGraph timed as whole `tinygraph run` processes (no `bench` subcommand in this binary): "
              "its numbers include process start and model load and are NOT comparable with the others.")
    wj = r.get("whole_job")
    if wj:
        a, l = wj["tinygraph run"], wj["python + LiteRT"]
        print(f"\nWhole job (start, load, one inference, write output, exit), median of {args.process_runs} processes:\n")
        print("| job | wall ms | peak RSS |")
        print("|---|---:|---:|")
        for k, v in wj.items():
            rss = "n/a" if v["peak_rss_bytes_median"] is None else fmt_bytes(v["peak_rss_bytes_median"])
            print(f"| {k} | {v['wall_ms_median']:.1f} | {rss} |")
        rss_ratio = ("n/a" if a["peak_rss_bytes_median"] is None or l["peak_rss_bytes_median"] is None
                     else f"{a['peak_rss_bytes_median'] / l['peak_rss_bytes_median']:.3f}")
        print(f"| TinyGraph ÷ LiteRT | {a['wall_ms_median'] / l['wall_ms_median']:.3f} | {rss_ratio} |")
    sys.stdout.flush()


def print_scaling_table(t, threads):
    """Each engine's one-thread and N-thread medians from the same rounds (TinyGraph's
    both from its own bench, which alternates them in one process)."""
    print(f"\nScaling, same rounds: median ms on 1 thread and on {threads}; the ratio is {threads} threads ÷ 1 "
          "(below 1 means the threads help).\n")
    print(f"| engine | 1 thread ms | {threads} threads ms | {threads} ÷ 1 | TinyGraph ÷ engine, 1 thread |")
    print("|---|---:|---:|---:|---:|")
    tg = t.get("tinygraph")
    tg_one = tg.get("one_thread_median_ms") if tg else None
    for key in ALL_ENGINES:
        many = t.get(key)
        if many is None:
            continue
        one = tg_one if key == "tinygraph" else (t.get(one_thread_key(key), {}).get("median_ms") if key != "tract" else None)
        label = many["label"].replace(f", {threads} threads", "")
        if one is None:
            print(f"| {label} | – | {many['median_ms']:.3f} | – | – |")
            continue
        versus = f"{tg_one / one:.2f}" if tg_one else "–"
        print(f"| {label} | {one:.3f} | {many['median_ms']:.3f} | {many['median_ms'] / one:.2f} | {versus} |")


def run_model(tf, name, args, wanted, has_bench):
    model_dir = BENCH_DIR / name
    if not (model_dir / "meta.json").exists():
        raise Fail(f"{model_dir} has no meta.json: run tools/make_bench_models.py first")
    meta = json.loads((model_dir / "meta.json").read_text())
    x = np.fromfile(model_dir / "input.f32", dtype="<f4").reshape(meta["input_shape"])
    log(f"[{name}] converting and loading engines")
    engines, errors, art = build_engines(tf, model_dir, meta, x, wanted, args.tinygraph, has_bench, args.threads)
    for k, v in errors.items():
        log(f"  {k}: NOT RUN: {v}")
    ref, tol, diffs, bad = check_outputs(engines, engines[0])
    log("  max |out - TF|: " + ", ".join(f"{k} {'–' if v is None else f'{v:.2e}'}" for k, v in diffs.items()))
    if bad:
        raise Fail(f"{name}: outputs disagree with TensorFlow:\n  " + "\n  ".join(bad))
    timed = [e for e in engines if e.key.split("@")[0] in wanted or e.key == "tinygraph"]
    la0 = loadavg()
    log(f"  timing {', '.join(e.key for e in timed)}")
    timing, per_round = time_rounds(timed, args.runs, args.rounds, args.warmup)
    result = {
        "meta": meta, "runs": per_round * args.rounds, "per_round": per_round, "tolerance": tol,
        "max_abs_diff": diffs, "errors": errors, "timing": timing,
        "engine_info": {e.key: {k: v for k, v in e.info.items() if k not in ("interpreter", "runnable")}
                        for e in engines},
        "artefacts": {k: str(v) if isinstance(v, Path) else v for k, v in art.items()},
        "loadavg_before": la0, "loadavg_after": loadavg(),
    }
    if "litert-xnnpack" in result["engine_info"]:
        result["xnnpack"] = result["engine_info"]["litert-xnnpack"]["xnnpack"]
    if "tinygraph" in timing:
        tg = timing["tinygraph"]["median_ms"]
        for e in timing.values():
            e["tinygraph_over_engine"] = tg / e["median_ms"]
    if args.process_runs > 0 and "tflite" in art:
        log(f"  whole job: {args.process_runs} process runs each")
        result["whole_job"] = whole_job(args.tinygraph, model_dir, meta, art["tflite"], ref, tol, args.process_runs)
    del engines
    gc.collect()
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="See tools/README.md for what is measured and how.")
    ap.add_argument("--models", default=",".join(ALL_MODELS), help="comma-separated, default: %(default)s")
    ap.add_argument("--engines", default=",".join(ALL_ENGINES),
                    help="comma-separated subset to time, default: %(default)s (TensorFlow always computes the "
                         "reference; TinyGraph is always timed)")
    ap.add_argument("--runs", type=int, default=50, help="timed runs per engine and model (default %(default)s)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds the runs are split into (default %(default)s)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed runs per engine at the start of every round "
                                                          "(default %(default)s)")
    ap.add_argument("--process-runs", type=int, default=5,
                    help="whole-job process runs of each kind (default %(default)s; 0 skips)")
    ap.add_argument("--tinygraph", default=".build-native/release/tinygraph", help="TinyGraph CLI (default %(default)s)")
    ap.add_argument("--threads", type=int, default=1,
                    help="threads per inference for every engine that has a setting (default %(default)s); above 1, "
                         "every engine also runs on one thread in the same rounds and a scaling table is printed")
    ap.add_argument("--json-out", help="write all results to this JSON file")
    ap.add_argument("--int8", action="store_true",
                    help="instead: each model converted to full integer int8 (tools/peers_int8.py), LiteRT + XNNPACK "
                         "int8 against TinyGraph int8 and TinyGraph float in the same rounds, and the whole job's "
                         "peak RSS on the int8 and the float model (default models: fruits,mobilenetv2-224); "
                         "with --threads N, every engine on N threads")
    args = ap.parse_args()
    if args.int8 and args.models == ",".join(ALL_MODELS):
        args.models = "fruits,mobilenetv2-224"

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    wanted = {e.strip() for e in args.engines.split(",") if e.strip()}
    if unknown := sorted(wanted - set(ALL_ENGINES)):
        ap.error(f"unknown engine(s) {unknown}; choose from {', '.join(ALL_ENGINES)}")
    if args.runs < 1 or args.rounds < 1 or args.warmup < 0:
        ap.error("--runs and --rounds must be >= 1, --warmup >= 0")
    if args.threads < 1:
        ap.error("--threads must be >= 1")
    args.rounds = min(args.rounds, args.runs)
    exe = Path(args.tinygraph)
    if not exe.is_file() or not os.access(exe, os.X_OK):
        ap.error(f"TinyGraph CLI not found or not executable: {exe}")
    args.tinygraph = str(exe.resolve())

    import tensorflow as tf
    tf.get_logger().setLevel("ERROR")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)

    if not HAVE_GNU_TIME:
        log(f"warning: {GNU_TIME} not found: peak RSS of child processes is not measured")
    has_bench = tinygraph_has_bench(args.tinygraph)
    if not has_bench:
        log(f"warning: {args.tinygraph} has no `bench --json`; TinyGraph is timed as whole `run` processes")

    versions = {p: version(p) for p in ("tensorflow-cpu", "tensorflow", "ai-edge-litert", "onnxruntime", "tf2onnx",
                                        "onnx", "tract", "numpy", "keras")}
    report = {
        "machine": {"cpu": cpu_model(), "logical_cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(), "loadavg_start": loadavg()},
        "versions": {k: v for k, v in versions.items() if v},
        "settings": {"runs": args.runs, "rounds": args.rounds, "warmup_per_round": args.warmup, "threads": args.threads,
                     "process_runs": args.process_runs, "tinygraph": args.tinygraph,
                     "tinygraph_bench": has_bench, "engines": sorted(wanted), "tolerance": "1e-4 * max(1, max|ref|)",
                     "median": "median of per-round medians; min: fastest single run"},
        "models": {},
    }
    t_start = time.perf_counter()
    status = 0
    if args.int8:
        import peers_int8
        peers_int8.cp = sys.modules[__name__]
        report["settings"]["int8"] = True
    for name in models:
        try:
            r = peers_int8.run_model(tf, name, args, has_bench) if args.int8 else run_model(tf, name, args, wanted, has_bench)
        except Fail as e:
            log(f"FAILED: {e}")
            report["models"][name] = {"failed": str(e)}
            status = 1
            break
        report["models"][name] = r
        if args.int8:
            peers_int8.print_report(name, r, args)
        else:
            print_model_report(name, r["meta"], r, args)
    report["elapsed_s"] = time.perf_counter() - t_start
    report["machine"]["loadavg_end"] = loadavg()
    log(f"total {report['elapsed_s']:.0f} s")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n")
        log(f"wrote {args.json_out}")
    return status


if __name__ == "__main__":
    sys.exit(main())
