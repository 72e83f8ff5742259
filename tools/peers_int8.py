"""``compare_peers.py --int8``: quantized int8 inference against LiteRT + XNNPACK.

For each model folder (model.pb, input.f32, meta.json from make_bench_models.py):

1. converts model.pb with TensorFlow's converter to a full integer int8 model
   (per-channel int8 weights, int8 activations, float32 input and output),
   calibrated the way tools/make_tflite_fixtures.py calibrates its int8 fixtures:
   the model's own input, its mirror images and a rolled copy.  Written to
   ``model-int8.tflite`` in the folder (git-ignored) every run;
2. checks the outputs: TinyGraph int8 against LiteRT's reference kernels
   (``OpResolverType.BUILTIN_REF``, the truth) within 1 quantization step on every
   element and the same top-1; TinyGraph float (model.pb) against TensorFlow within
   1e-4 × max(1, max|TF|); LiteRT + XNNPACK int8's distance from the reference is
   reported, not required (XNNPACK requantizes in float and may differ by a step);
3. times LiteRT + XNNPACK int8, TinyGraph int8 and TinyGraph float in the same
   rounds (compare_peers.time_rounds: rotating order, one thread each, or --threads N);
4. runs the whole job (`tinygraph run`: start, load, one inference, write, exit)
   on the int8 and on the float model, alternating, for wall time and peak RSS.
"""

import json
import statistics
import tempfile
from pathlib import Path

import numpy as np

from agreement import compare

# compare_peers, which runs as __main__: it sets this before calling run_model (an
# import here would load a second copy, whose Fail its main would not catch).
cp = None


def convert_int8(tf, model_dir, meta, x):
    import make_tflite_fixtures as mtf
    samples = mtf.representative_inputs(x)

    def make():
        converter = tf.compat.v1.lite.TFLiteConverter.from_frozen_graph(
            str(model_dir / "model.pb"), [meta["input"]], [meta["output"]], {meta["input"]: meta["input_shape"]})
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([s] for s in samples)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        return converter

    data = make().convert()
    path = model_dir / "model-int8.tflite"
    path.write_bytes(data)
    step, _, _ = mtf.output_step(data, 0)
    return path, data, step, sorted(mtf.tflite_ops(data))


def litert_int8(data, x, resolver_name, threads=1):
    """A PyEngine on the int8 model; resolver AUTO (XNNPACK) or BUILTIN_REF."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    resolver = getattr(OpResolverType, resolver_name)
    it = Interpreter(model_content=data, num_threads=threads, experimental_op_resolver_type=resolver)
    it.allocate_tensors()
    coverage = cp.xnnpack_coverage(it)
    if resolver_name == "AUTO" and coverage["delegate_partitions"] == 0:
        raise cp.Fail("LiteRT int8: XNNPACK (default delegate) was NOT applied: no DELEGATE node after allocate_tensors")
    detail = it.get_input_details()[0]
    if detail["dtype"] != np.float32:
        raise cp.Fail(f"the int8 conversion has a {detail['dtype']} input; expected float32")
    i, o = detail["index"], it.get_output_details()[0]["index"]
    xx = x.reshape(detail["shape"])

    def fn():
        it.set_tensor(i, xx)
        it.invoke()
        return it.get_tensor(o)

    v = cp.version("ai-edge-litert")
    label = (f"LiteRT {v} XNNPACK int8" if resolver_name == "AUTO" else f"LiteRT {v} reference kernels int8") \
        + cp.thread_label(threads)
    return cp.PyEngine("litert-xnnpack-int8" if resolver_name == "AUTO" else "litert-ref-int8", label, fn,
                       {"xnnpack": coverage, "interpreter": it})


def steps_apart(a, b, step):
    """Largest difference in quantization steps (NaN-proof: agreement.compare)."""
    return compare(np.round(np.asarray(a, np.float32) / step), np.round(np.asarray(b, np.float32) / step))


def whole_job_pair(tinygraph, model_dir, meta, int8_path, n):
    """n alternating `tinygraph run` processes on the int8 and the float model."""
    jobs = {"tinygraph run int8": [tinygraph, "run", str(int8_path)],
            "tinygraph run float": [tinygraph, "run", str(model_dir / "model.pb"), "--output-node", meta["output"]]}
    rows = {name: [] for name in jobs}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n + 1):
            for name, cmd in (jobs.items() if i % 2 == 0 else reversed(list(jobs.items()))):
                c = cp.run_child([*cmd, "--input", str(model_dir / "input.f32"), "--output", str(Path(tmp) / "out.f32")])
                if c["rc"] != 0:
                    raise cp.Fail(f"whole job {name!r} failed ({c['rc']}): {c['stderr'].strip()[-500:]}")
                if i > 0:  # the first round warms the page cache
                    rows[name].append({"wall_ms": c["wall_s"] * 1e3, "peak_rss_bytes": c["peak_rss_bytes"]})
    result = {}
    for name, r in rows.items():
        rss = [x["peak_rss_bytes"] for x in r if x["peak_rss_bytes"] is not None]
        result[name] = {"wall_ms_median": statistics.median(x["wall_ms"] for x in r),
                        "peak_rss_bytes_median": statistics.median(rss) if rss else None, "samples": r}
    return result


def run_model(tf, name, args, has_bench):
    model_dir = cp.BENCH_DIR / name
    if not (model_dir / "meta.json").exists():
        raise cp.Fail(f"{model_dir} has no meta.json: run tools/make_bench_models.py first")
    meta = json.loads((model_dir / "meta.json").read_text())
    x = np.fromfile(model_dir / "input.f32", dtype="<f4").reshape(meta["input_shape"])
    cp.log(f"[{name}] int8 conversion (calibrated on the input, its mirror images and a rolled copy)")
    int8_path, int8_data, step, ops = convert_int8(tf, model_dir, meta, x)

    gd = tf.compat.v1.GraphDef()
    gd.ParseFromString((model_dir / "model.pb").read_bytes())
    tf_engine = cp.make_tf(tf, gd, meta, x)
    reference = litert_int8(int8_data, x, "BUILTIN_REF")
    xnnpack = litert_int8(int8_data, x, "AUTO", threads=args.threads)
    tg_int8 = cp.TinyGraphEngine(args.tinygraph, model_dir, meta, has_bench, model=int8_path, threads=args.threads,
                                 key="tinygraph-int8", label="TinyGraph int8" + cp.thread_label(args.threads))
    tg_float = cp.TinyGraphEngine(args.tinygraph, model_dir, meta, has_bench, key="tinygraph-float", threads=args.threads,
                                  label="TinyGraph float" + cp.thread_label(args.threads))

    truth = reference.output().astype(np.float32).ravel()
    tf_out = tf_engine.output().astype(np.float32).ravel()
    checks, bad = {}, []
    got = tg_int8.output()
    d = steps_apart(got, truth, step)
    checks["tinygraph-int8 vs LiteRT reference int8 (steps)"] = d.worst
    if not d.within(1.0) or int(np.argmax(got)) != int(np.argmax(truth)):
        bad.append(f"TinyGraph int8 vs LiteRT's reference kernels: {d.describe()} steps of {step:.3g}; "
                   f"top-1 {int(np.argmax(got))} vs {int(np.argmax(truth))}")
    d = steps_apart(xnnpack.output().ravel(), truth, step)
    checks["litert-xnnpack-int8 vs LiteRT reference int8 (steps)"] = d.worst
    tol = cp.REL_TOL * max(1.0, float(np.max(np.abs(tf_out))))
    d = compare(tg_float.output(), tf_out)
    checks["tinygraph-float vs TensorFlow (abs)"] = d.worst
    if not d.within(tol):
        bad.append(f"TinyGraph float vs TensorFlow: {d.describe()} (tolerance {tol:.3g})")
    checks["top-1 int8 / float"] = [int(np.argmax(truth)), int(np.argmax(tf_out))]
    cp.log("  checks: " + json.dumps(checks))
    if bad:
        raise cp.Fail(f"{name}: " + "; ".join(bad))

    engines = [xnnpack, tg_int8, tg_float]
    load0 = cp.loadavg()
    timing, per_round = cp.time_rounds(engines, args.runs, args.rounds, args.warmup)
    result = {"meta": meta, "int8_model": str(int8_path), "int8_ops": ops, "output_step": step, "checks": checks,
              "timing": timing, "runs": per_round * args.rounds, "per_round": per_round,
              "xnnpack": xnnpack.info["xnnpack"], "loadavg_before": load0, "loadavg_after": cp.loadavg()}
    if args.process_runs > 0:
        cp.log(f"  whole job: {args.process_runs} process runs each, int8 and float")
        result["whole_job"] = whole_job_pair(args.tinygraph, model_dir, meta, int8_path, args.process_runs)
    return result


def print_report(name, r, args):
    t = r["timing"]
    tg = t["tinygraph-int8"]["median_ms"]
    print(f"\n### {name}, int8 (output step {r['output_step']:.4g}; ops {', '.join(r['int8_ops'])})\n")
    print(f"{r['runs']} timed runs per engine in {args.rounds} rounds of {r['per_round']} (+{args.warmup} warm-up "
          f"each round), {args.threads} thread(s); load average before/after {r['loadavg_before']} / {r['loadavg_after']}.\n")
    print("| engine | median ms | min ms | TinyGraph int8 ÷ engine |")
    print("|---|---:|---:|---:|")
    for key in ("litert-xnnpack-int8", "tinygraph-int8", "tinygraph-float"):
        e = t[key]
        print(f"| {e['label']} | {e['median_ms']:.3f} | {e['min_ms']:.3f} | {tg / e['median_ms']:.2f} |")
    print("\nChecks: " + "; ".join(f"{k}: {v}" for k, v in r["checks"].items()))
    xnn = r["xnnpack"]
    print(f"XNNPACK int8: {xnn['delegate_partitions']} delegate partition(s) over {xnn['ops_total']} TFLite ops, "
          f"ops outside: {xnn['ops_outside_delegate'] or 'none'}.")
    wj = r.get("whole_job")
    if wj:
        print(f"\nWhole job (`tinygraph run`: start, load, one inference, write, exit), median of "
              f"{args.process_runs} processes:\n")
        print("| job | wall ms | peak RSS |")
        print("|---|---:|---:|")
        for k, v in wj.items():
            rss = "n/a" if v["peak_rss_bytes_median"] is None else cp.fmt_bytes(v["peak_rss_bytes_median"])
            print(f"| {k} | {v['wall_ms_median']:.1f} | {rss} |")
