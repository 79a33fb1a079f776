"""Cheaper arithmetic for an exported float32 graph (shared by export_*.py): int8 dynamic
quantization for the CPU, float16 for GPUs. Each conversion rewrites the graph file in place and
returns what the manifest records about it ("precision" and "conversion"; read by Java's
dev.pianola.runtime.ModelManifest, shown by `pianola models list`).

int8-dynamic: onnxruntime.quantization.quantize_dynamic on the MatMul/Gemm weights (per tensor);
activations are quantized at run time, so no calibration data is needed. Weights are signed
(QInt8): ORT's CPU kernels (MatMulInteger / DynamicQuantizeMatMul) take uint8 activations with
int8 weights on their fast path; tools/export/README.md has the measured QInt8 vs QUInt8 figures.
The embedding Gather stays float32: it is a table look-up, not arithmetic. subgraphs=True also
quantizes inside control-flow subgraphs (optimum's merged decoders keep every MatMul inside the two
branches of one If node, Pop2Piano's among them; without it nothing is quantized there).

float16: onnxruntime.transformers.float16 with keep_io_types, so inputs, outputs and the KV cache
the Java loop feeds stay float32 (Cast nodes at the edges) and the Java side is unchanged.
"""
import onnx
import onnxruntime

FLOAT32, INT8, FLOAT16 = "float32", "int8-dynamic", "float16"
# the command-line spelling of each precision (--precision)
CHOICES = {"float32": FLOAT32, "int8": INT8, "float16": FLOAT16}
INT8_OPS = ["MatMul", "Gemm"]


def convert(path, precision, subgraphs=False):
    """Rewrites the float32 graph at `path` into `precision`; returns the manifest's
    {"precision": ..., "conversion": {...}} for it ({} for float32, which needs no record).
    subgraphs: int8 also inside If/Loop subgraphs (ORT's EnableSubgraph)."""
    if precision == FLOAT32:
        return {}
    if precision == INT8:
        from onnxruntime.quantization import QuantType, quantize_dynamic
        settings = {"tool": f"onnxruntime.quantization.quantize_dynamic (onnxruntime {onnxruntime.__version__})",
                    "weightType": "QInt8", "perChannel": False, "reduceRange": False, "opTypes": INT8_OPS}
        extra = {}
        if subgraphs:
            settings["subgraphs"] = True
            extra["EnableSubgraph"] = True
        quantize_dynamic(str(path), str(path), op_types_to_quantize=INT8_OPS, per_channel=False,
                         reduce_range=False, weight_type=QuantType.QInt8, extra_options=extra)
        return {"precision": INT8, "conversion": settings}
    if precision == FLOAT16:
        from onnxruntime.transformers.float16 import convert_float_to_float16
        model = convert_float_to_float16(onnx.load(str(path)), keep_io_types=True)
        onnx.save(model, str(path))
        return {"precision": FLOAT16, "conversion": {
            "tool": f"onnxruntime.transformers.float16.convert_float_to_float16 (onnxruntime {onnxruntime.__version__})",
            "keepIoTypes": True}}
    raise ValueError(f"unknown precision {precision!r}, one of {sorted(CHOICES.values())}")
