"""Four-lane vector arithmetic on LUT nodes for the numba kernels (LLVM IR via numba intrinsics).

The kernels keep the lattice as float32 rows of 4 (R, G, B, 0): one node is then one 16-byte
vector load, and the weighted sums of interpolation run on all channels at once, as
OpenColorIO's SSE code does. numba leaves LLVM's SLP vectoriser off, so the scalar version of
this code stays scalar (and ~1.4x slower). The lane arithmetic is the scalar arithmetic, in the
same order, so results are bit-identical to it; in a float64 kernel the float32 node values are
widened exactly before any arithmetic.

numba's on-disk cache is keyed on the source file of the cached kernels (`apply.py`), not on
this one: after editing this file, touch `apply.py` (or clear ``lutml/lut/__pycache__``).
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

_I32 = ir.IntType(32)


def _lanes(context, builder, ftype, data, index):
    """Load 4 float32 at ``data[index:index + 4]`` as a vector of `ftype` lanes."""
    f4 = ir.VectorType(ir.FloatType(), 4)
    ptr = builder.bitcast(builder.gep(data, [index]), f4.as_pointer())
    vec = builder.load(ptr, align=4)
    lane = context.get_value_type(ftype)
    return vec if lane == ir.FloatType() else builder.fpext(vec, ir.VectorType(lane, 4))


def _splat(context, builder, ftype, value):
    vec_t = ir.VectorType(context.get_value_type(ftype), 4)
    one_lane = builder.insert_element(ir.Constant(vec_t, ir.Undefined), value, ir.Constant(_I32, 0))
    mask = ir.Constant(ir.VectorType(_I32, 4), [0, 0, 0, 0])
    return builder.shuffle_vector(one_lane, ir.Constant(vec_t, ir.Undefined), mask)


def _rgb(context, builder, signature, vec):
    values = [builder.extract_element(vec, ir.Constant(_I32, c)) for c in range(3)]
    return context.make_tuple(builder, signature.return_type, values)


@intrinsic
def weighted_nodes(typingctx, table, i0, i1, i2, i3, w0, w1, w2, w3):
    """``w0*table[i0:i0+3] + w1*table[i1:i1+3] + w2*... + w3*...`` (left to right) as (r, g, b).

    `table` is a flat float32 array of 4-float nodes; `i*` are element offsets of nodes;
    the weights' type (float32 or float64) is the arithmetic type.
    """
    ftype = w0
    sig = types.UniTuple(ftype, 3)(table, i0, i1, i2, i3, w0, w1, w2, w3)

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        acc = None
        for k in range(4):
            node = _lanes(context, builder, ftype, data, args[1 + k])
            term = builder.fmul(node, _splat(context, builder, ftype, args[5 + k]))
            acc = term if acc is None else builder.fadd(acc, term)
        return _rgb(context, builder, signature, acc)

    return sig, codegen


@intrinsic
def trilinear_nodes(typingctx, table, base, sr, sg, sb, fr, fg, fb):
    """Trilinear interpolation in the cell at `base` (strides sr, sg, sb) as (r, g, b).

    Lerps along red, then green, then blue: ``a + f * (b - a)`` per lane.
    """
    ftype = fr
    sig = types.UniTuple(ftype, 3)(table, base, sr, sg, sb, fr, fg, fb)

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        base_, sr_, sg_, sb_ = args[1:5]
        fr_, fg_, fb_ = (_splat(context, builder, ftype, f) for f in args[5:8])

        def node(*steps):
            index = base_
            for step in steps:
                index = builder.add(index, step)
            return _lanes(context, builder, ftype, data, index)

        def lerp(a, b, f):
            return builder.fadd(a, builder.fmul(f, builder.fsub(b, a)))

        x00 = lerp(node(), node(sr_), fr_)
        x10 = lerp(node(sg_), node(sr_, sg_), fr_)
        x01 = lerp(node(sb_), node(sr_, sb_), fr_)
        x11 = lerp(node(sg_, sb_), node(sr_, sg_, sb_), fr_)
        return _rgb(
            context, builder, signature, lerp(lerp(x00, x10, fg_), lerp(x01, x11, fg_), fb_)
        )

    return sig, codegen
