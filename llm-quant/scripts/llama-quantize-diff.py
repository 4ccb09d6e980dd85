#!/usr/bin/env python3
"""Differential check of `llm quantize` against llama.cpp's own llama_model_quantize.

Runs llama.cpp's quantizer (from the prebuilt libllama that node-llama-cpp ships, see
llm-bench/node) and `./llm quantize` on the same input for each file type, then compares the
outputs: whole file, else tensor by tensor (type and bytes).

    python3 llm-quant/scripts/llama-quantize-diff.py MODEL.f32.gguf q4_k_m q3_k_m q6_k ...

Options: --lib DIR (folder with libllama*.so, default: the linux-x64 binaries under
llm-bench/node/node_modules), --threads N, --pure, --keep (keep the outputs in a temp dir).

Note: node-llama-cpp 3.22.1 bundles a llama.cpp newer than the project's baseline (build
4748). It chooses Q4_0 instead of IQ4_NL as the fallback for Q2_K/Q3_K tensors whose rows are
not a multiple of 256, so those tensors (only those) are expected to differ.
"""
import argparse
import ctypes
import glob
import os
import struct
import subprocess
import sys
import tempfile

FTYPES = {"f32": 0, "f16": 1, "q4_0": 2, "q4_1": 3, "q8_0": 7, "q5_0": 8, "q5_1": 9, "q2_k": 10,
          "q3_k_s": 11, "q3_k_m": 12, "q3_k_l": 13, "q4_k_s": 14, "q4_k_m": 15, "q5_k_s": 16,
          "q5_k_m": 17, "q6_k": 18, "iq4_nl": 25, "iq4_xs": 30, "bf16": 32}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class QuantizeParams(ctypes.Structure):
    # llama.h llama_model_quantize_params of the bundled llama.cpp, plus slack for newer fields
    _fields_ = [("nthread", ctypes.c_int32), ("ftype", ctypes.c_int), ("output_tensor_type", ctypes.c_int),
                ("token_embedding_type", ctypes.c_int), ("allow_requantize", ctypes.c_bool),
                ("quantize_output_tensor", ctypes.c_bool), ("only_copy", ctypes.c_bool), ("pure", ctypes.c_bool),
                ("keep_split", ctypes.c_bool), ("dry_run", ctypes.c_bool), ("imatrix", ctypes.c_void_p),
                ("kv_overrides", ctypes.c_void_p), ("tt_overrides", ctypes.c_void_p),
                ("prune_layers", ctypes.c_void_p), ("max_buf_size", ctypes.c_size_t), ("slack", ctypes.c_char * 256)]


def load_llama(lib_dir):
    for name in ("libggml-base.so", "libggml.*.so"):
        for p in glob.glob(os.path.join(lib_dir, name)):
            ctypes.CDLL(p, mode=ctypes.RTLD_GLOBAL)
    libs = [p for p in glob.glob(os.path.join(lib_dir, "libllama*.so")) if "common" not in p]
    if not libs:
        sys.exit(f"no libllama*.so in {lib_dir} (run npm install in llm-bench/node)")
    lib = ctypes.CDLL(libs[0], mode=ctypes.RTLD_GLOBAL)
    lib.llama_model_quantize_default_params.restype = QuantizeParams
    lib.llama_model_quantize.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(QuantizeParams)]
    lib.llama_model_quantize.restype = ctypes.c_uint32
    return lib


def read_tensors(path):
    """{name: (ggml type id, bytes)} and the tensor order of a GGUF v3 file."""
    with open(path, "rb") as f:
        data = f.read()
    pos = 0

    def rd(fmt):
        nonlocal pos
        v = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return v

    def rs():
        n, = rd("Q")
        nonlocal pos
        s = data[pos:pos + n].decode()
        pos += n
        return s

    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

    def skip(t):
        nonlocal pos
        if t == 8:
            rs()
        elif t == 9:
            et, n = rd("iQ")
            for _ in range(n):
                skip(et)
        else:
            pos += sizes[t]

    _, _, nt, nkv = rd("4sIQQ")
    align = 32
    for _ in range(nkv):
        k = rs()
        t, = rd("i")
        if k == "general.alignment" and t == 4:
            align, = rd("I")
        else:
            skip(t)
    infos = []
    for _ in range(nt):
        n = rs()
        nd, = rd("I")
        rd("q" * nd)
        ty, off = rd("iQ")
        infos.append((n, ty, off))
    start = (pos + align - 1) // align * align
    offs = sorted(o for _, _, o in infos) + [len(data) - start]
    nxt = {offs[i]: offs[i + 1] for i in range(len(offs) - 1)}
    return {n: (ty, data[start + o:start + nxt[o]]) for n, ty, o in infos}, [n for n, _, _ in infos]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("types", nargs="+")
    ap.add_argument("--lib", default=os.path.join(ROOT, "llm-bench/node/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pure", action="store_true")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    lib = load_llama(a.lib)
    tmp = tempfile.mkdtemp(prefix="qdiff-")
    failures = 0
    for name in a.types:
        ref, ours = os.path.join(tmp, name + ".ref.gguf"), os.path.join(tmp, name + ".jllm.gguf")
        p = lib.llama_model_quantize_default_params()
        p.ftype, p.nthread, p.pure = FTYPES[name.lower()], a.threads, a.pure
        if lib.llama_model_quantize(a.model.encode(), ref.encode(), ctypes.byref(p)) != 0:
            print(f"{name}: llama.cpp failed")
            failures += 1
            continue
        cmd = [os.path.join(ROOT, "llm"), "quantize", a.model, ours, name, "-t", str(a.threads)] + (["--pure"] if a.pure else [])
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"{name}: llm quantize failed: {r.stderr.strip().splitlines()[-1]}")
            failures += 1
            continue
        if open(ref, "rb").read() == open(ours, "rb").read():
            print(f"{name}: identical files")
            continue
        (rt, ro), (jt, jo) = read_tensors(ref), read_tensors(ours)
        diffs = [(n, rt[n][0], jt[n][0]) for n in ro if n in jt and rt[n] != jt[n]]
        print(f"{name}: files differ; tensor order {'same' if ro == jo else 'DIFFERENT'}; "
              f"{len(diffs)} of {len(ro)} tensors differ")
        for n, t1, t2 in diffs[:20]:
            print(f"    {n}: llama.cpp type {t1}, jllm type {t2}")
        failures += 1
    if not a.keep:
        for p in glob.glob(os.path.join(tmp, "*")):
            os.remove(p)
        os.rmdir(tmp)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
