"""Atomics and waiting for the threaded step: what numba does not offer on the CPU.

The workers of :mod:`neqlab.models.gas._kernels.steps` share int64 control words
(a phase number with its task counter, a count of finished tasks). These intrinsics
emit LLVM atomic instructions on one element of an int64 array (sequentially
consistent, so plain loads and stores of shared arrays are ordered around them),
a CPU hint for spin loops, a short sleep for a worker that has spun too long
(its partner may have lost its core to another process: sleeping hands the core
over instead of burning it), and the clocks a helper reads to see whether it gets its
core (:func:`.sched.pace`).
"""

from __future__ import annotations

import platform
import sys

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

_MACHINE = platform.machine().lower()
_POSIX = sys.platform != "win32"


def _element_ptr(context, builder, aryty, ary, idx):
    arr = context.make_array(aryty)(context, builder, ary)
    return cgutils.get_item_pointer(context, builder, aryty, arr, [idx], wraparound=False)


def _check_int64_array(ary):
    if not (isinstance(ary, types.Array) and ary.dtype == types.int64 and ary.ndim == 1):
        raise TypeError("atomics need a 1-d int64 array")


@intrinsic
def atomic_load(typingctx, ary, idx):
    """ary[idx], an atomic (seq_cst) load."""
    _check_int64_array(ary)

    def codegen(context, builder, sig, args):
        ptr = _element_ptr(context, builder, sig.args[0], args[0], args[1])
        return builder.load_atomic(ptr, "seq_cst", 8)

    return types.int64(ary, idx), codegen


@intrinsic
def atomic_store(typingctx, ary, idx, val):
    """ary[idx] = val, an atomic (seq_cst) store."""
    _check_int64_array(ary)

    def codegen(context, builder, sig, args):
        ptr = _element_ptr(context, builder, sig.args[0], args[0], args[1])
        v = context.cast(builder, args[2], sig.args[2], types.int64)
        builder.store_atomic(v, ptr, "seq_cst", 8)
        return context.get_dummy_value()

    return types.none(ary, idx, val), codegen


@intrinsic
def atomic_add(typingctx, ary, idx, val):
    """ary[idx] += val atomically; returns the old value."""
    _check_int64_array(ary)

    def codegen(context, builder, sig, args):
        ptr = _element_ptr(context, builder, sig.args[0], args[0], args[1])
        v = context.cast(builder, args[2], sig.args[2], types.int64)
        return builder.atomic_rmw("add", ptr, v, "seq_cst")

    return types.int64(ary, idx, val), codegen


@intrinsic
def atomic_cas(typingctx, ary, idx, expected, new):
    """If ary[idx] == expected, set it to new; returns True on success (atomic)."""
    _check_int64_array(ary)

    def codegen(context, builder, sig, args):
        ptr = _element_ptr(context, builder, sig.args[0], args[0], args[1])
        e = context.cast(builder, args[2], sig.args[2], types.int64)
        n = context.cast(builder, args[3], sig.args[3], types.int64)
        res = builder.cmpxchg(ptr, e, n, "seq_cst", "seq_cst")
        return builder.extract_value(res, 1)

    return types.boolean(ary, idx, expected, new), codegen


@intrinsic
def cpu_relax(typingctx):
    """The spin-loop hint (x86 ``pause``, ARM ``yield``); nothing elsewhere."""

    def codegen(context, builder, sig, args):
        if _MACHINE in ("x86_64", "amd64", "i386", "i686"):
            fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), []),
                                                "llvm.x86.sse2.pause")
            builder.call(fn, [])
        elif _MACHINE in ("aarch64", "arm64"):
            fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [ir.IntType(32)]),
                                                "llvm.aarch64.hint")
            builder.call(fn, [ir.Constant(ir.IntType(32), 1)])
        return context.get_dummy_value()

    return types.none(), codegen


@intrinsic
def sleep_us(typingctx, us):
    """Sleep about ``us`` microseconds (POSIX ``usleep``); nothing elsewhere."""

    def codegen(context, builder, sig, args):
        if _POSIX:
            fnty = ir.FunctionType(ir.IntType(32), [ir.IntType(32)])
            fn = cgutils.get_or_insert_function(builder.module, fnty, "usleep")
            builder.call(fn, [context.cast(builder, args[0], sig.args[0], types.int32)])
        return context.get_dummy_value()

    return types.none(us), codegen


_LINUX = sys.platform.startswith("linux")
CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME = 1, 3  # Linux's clock ids


@intrinsic
def clock_ns(typingctx, clk):
    """``clock_gettime(clk)`` in nanoseconds: :data:`CLOCK_MONOTONIC` (wall time) or
    :data:`CLOCK_THREAD_CPUTIME` (the CPU time of the calling thread); -1 on an error
    and on systems other than Linux (whose clock ids differ)."""

    def codegen(context, builder, sig, args):
        i64, i32 = ir.IntType(64), ir.IntType(32)
        if not _LINUX:
            return ir.Constant(i64, -1)
        ts_ty = ir.LiteralStructType([i64, i64])  # struct timespec on 64-bit Linux
        ts = cgutils.alloca_once(builder, ts_ty)
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(i32, [i32, ts_ty.as_pointer()]),
                                            "clock_gettime")
        clk = builder.trunc(context.cast(builder, args[0], sig.args[0], types.int64), i32)
        rc = builder.call(fn, [clk, ts])
        zero = ir.Constant(i32, 0)
        sec = builder.load(builder.gep(ts, [zero, zero]))
        nsec = builder.load(builder.gep(ts, [zero, ir.Constant(i32, 1)]))
        ns = builder.add(builder.mul(sec, ir.Constant(i64, 1_000_000_000)), nsec)
        return builder.select(builder.icmp_signed("==", rc, zero), ns, ir.Constant(i64, -1))

    return types.int64(clk), codegen
