//! A matrix product for software GPU adapters: every invocation computes a 4 × 4 block of the
//! output in registers, reading both operands straight from global memory in 4-wide vectors
//! along whichever axis each operand is contiguous in. No shared memory, no barriers.
//!
//! On SwiftShader and lavapipe a workgroup barrier switches coroutines and shared memory is
//! ordinary memory, so the staged routines pay for synchronisation that buys nothing; the
//! unstaged ones left (`CpuGemm`, naive) load one scalar or one vector per multiply-add, which
//! is what a software adapter is slowest at. A 4 × 4 block loads eight vectors per 64
//! multiply-adds. Measured on Chromium's SwiftShader (2 cores), a 64 × 128 · 128 × 784 product:
//! `CpuGemm` 25 ms, naive 90 ms, this block 4.4–6 ms in every layout of the operands.

use cubecl::{client::Client, ir::ElemType, prelude::*};
use cubek_std::InputBinding;

use crate::definition::{MatmulElems, MatmulSetupError};

/// Rows and columns of the output block one invocation computes, and the vector width of every
/// load and store: the kernel is written for exactly this width.
const BLOCK: usize = 4;
/// Invocations per workgroup along the output's columns and rows.
const CUBE_N: u32 = 16;
const CUBE_M: u32 = 4;

/// `out = lhs · rhs` for matrices (rank 2) or a batch of them (rank 3, no broadcasting), every
/// extent a multiple of [`BLOCK`], `out` row-major. Returns `InvalidConfig` for any other
/// problem, so that the caller can fall back to a general routine.
#[allow(clippy::result_large_err)]
pub fn launch_ref(
    client: &Client,
    lhs: InputBinding,
    rhs: InputBinding,
    out: TensorBinding,
    dtypes: &MatmulElems,
) -> Result<(), MatmulSetupError> {
    let unsupported = |why: &str| {
        Err(MatmulSetupError::InvalidConfig(Box::new(format!(
            "register-block matmul: {why}"
        ))))
    };
    let (InputBinding::Normal(lhs, _), InputBinding::Normal(rhs, _)) = (lhs, rhs) else {
        return unsupported("quantized input");
    };
    let elem = dtypes.lhs_global;
    let one_type = [
        dtypes.rhs_global,
        dtypes.acc_global,
        dtypes.lhs_register,
        dtypes.rhs_register,
        dtypes.acc_register,
    ]
    .iter()
    .all(|&e| e == elem);
    if !one_type || !matches!(elem, ElemType::Float(_)) {
        return unsupported("mixed or non-float element types");
    }
    let rank = out.shape.len();
    if rank != 2 && rank != 3 || lhs.shape.len() != rank || rhs.shape.len() != rank {
        return unsupported("rank other than 2 or 3");
    }
    if rank == 3 && (lhs.shape[0] != out.shape[0] || rhs.shape[0] != out.shape[0]) {
        return unsupported("broadcast batch");
    }
    let (m, n, k) = (
        out.shape[rank - 2],
        out.shape[rank - 1],
        lhs.shape[rank - 1],
    );
    if [m, n, k].iter().any(|&d| d == 0 || d % BLOCK != 0) {
        return unsupported("an extent that is not a multiple of 4");
    }
    let lhs_along_k = match contiguous_axis(&lhs.strides, rank) {
        Some(axis) if aligned_but(&lhs.strides, rank, axis) => axis == rank - 1,
        _ => return unsupported("lhs contiguous along neither axis in aligned rows"),
    };
    let rhs_along_n = match contiguous_axis(&rhs.strides, rank) {
        Some(axis) if aligned_but(&rhs.strides, rank, axis) => axis == rank - 1,
        _ => return unsupported("rhs contiguous along neither axis in aligned rows"),
    };
    if out.strides[rank - 1] != 1 || !aligned_but(&out.strides, rank, rank - 1) {
        return unsupported("output not row-major in aligned rows");
    }

    let batches = if rank == 3 { out.shape[0] as u32 } else { 1 };
    let cube_count = CubeCount::Static(
        (n / BLOCK).div_ceil(CUBE_N as usize) as u32,
        (m / BLOCK).div_ceil(CUBE_M as usize) as u32,
        batches,
    );
    register_block_kernel::launch(
        client,
        cube_count,
        CubeDim::new_2d(CUBE_N, CUBE_M),
        BLOCK,
        lhs.into_tensor_arg(),
        rhs.into_tensor_arg(),
        out.into_tensor_arg(),
        rank == 3,
        lhs_along_k,
        rhs_along_n,
        elem,
    );
    Ok(())
}

/// The matrix axis (`rank - 1` or `rank - 2`) along which elements are adjacent, if any.
fn contiguous_axis(strides: &[usize], rank: usize) -> Option<usize> {
    match (strides[rank - 2], strides[rank - 1]) {
        (_, 1) => Some(rank - 1),
        (1, _) => Some(rank - 2),
        _ => None,
    }
}

/// Whether every stride but the contiguous axis's is a non-zero multiple of [`BLOCK`], so that
/// each 4-wide vector the kernel loads starts on a vector boundary.
fn aligned_but(strides: &[usize], rank: usize, contiguous: usize) -> bool {
    (0..rank)
        .filter(|&axis| axis != contiguous)
        .all(|axis| strides[axis] != 0 && strides[axis] % BLOCK == 0)
}

/// One invocation's 4 × 4 block of `out = lhs · rhs`. `N` is always 4 ([`BLOCK`]).
///
/// Each step of `K` loads four vectors of each operand along its contiguous axis: rows of `lhs`
/// over `K` (`lhs_along_k`) or columns of it over `M`, rows of `rhs` over `N` (`rhs_along_n`) or
/// columns of it over `K`. The columns are transposed in registers, which on a software adapter
/// is a free renaming, so that every layout runs the same 64 multiply-adds per step.
#[cube(launch)]
fn register_block_kernel<E: Float, N: Size>(
    lhs: &Tensor<Vector<E, N>>,
    rhs: &Tensor<Vector<E, N>>,
    out: &mut Tensor<Vector<E, N>>,
    #[comptime] batched: bool,
    #[comptime] lhs_along_k: bool,
    #[comptime] rhs_along_n: bool,
    #[define(E)] _dtype: ElemType,
) {
    let col_axis = comptime!(if batched { 2usize } else { 1usize });
    let row_axis = comptime!(col_axis - 1);
    let m = out.shape(row_axis);
    let n = out.shape(col_axis);
    let k = lhs.shape(col_axis);
    let n0 = ABSOLUTE_POS_X as usize * 4;
    let m0 = ABSOLUTE_POS_Y as usize * 4;
    if n0 >= n || m0 >= m {
        terminate!();
    }
    let batch = ABSOLUTE_POS_Z as usize;
    let lhs_base = if batched {
        batch * lhs.stride(0)
    } else {
        0usize.runtime()
    };
    let rhs_base = if batched {
        batch * rhs.stride(0)
    } else {
        0usize.runtime()
    };
    let out_base = if batched {
        batch * out.stride(0)
    } else {
        0usize.runtime()
    };
    // Each operand's four vectors per step start `major` elements apart, at `start`, `minor`.
    let lhs_major = if lhs_along_k {
        lhs.stride(row_axis)
    } else {
        lhs.stride(col_axis)
    };
    let rhs_major = if rhs_along_n {
        rhs.stride(row_axis)
    } else {
        rhs.stride(col_axis)
    };

    let mut acc0 = Vector::<E, N>::zeroed();
    let mut acc1 = Vector::<E, N>::zeroed();
    let mut acc2 = Vector::<E, N>::zeroed();
    let mut acc3 = Vector::<E, N>::zeroed();

    for step in 0..k / 4 {
        let k0 = step * 4;
        // Rows m0.. of lhs over k0.., or its columns k0.. over m0...
        let a = if lhs_along_k {
            lhs_base + m0 * lhs_major + k0
        } else {
            lhs_base + k0 * lhs_major + m0
        };
        let l0 = lhs[a / 4];
        let l1 = lhs[(a + lhs_major) / 4];
        let l2 = lhs[(a + 2 * lhs_major) / 4];
        let l3 = lhs[(a + 3 * lhs_major) / 4];
        // Rows k0.. of rhs over n0.., or its columns n0.. over k0...
        let b = if rhs_along_n {
            rhs_base + k0 * rhs_major + n0
        } else {
            rhs_base + n0 * rhs_major + k0
        };
        let r0 = rhs[b / 4];
        let r1 = rhs[(b + rhs_major) / 4];
        let r2 = rhs[(b + 2 * rhs_major) / 4];
        let r3 = rhs[(b + 3 * rhs_major) / 4];

        // The lhs block's rows over k, the rhs block's rows over n.
        let a0 = if lhs_along_k {
            l0
        } else {
            lane(l0, l1, l2, l3, 0usize)
        };
        let a1 = if lhs_along_k {
            l1
        } else {
            lane(l0, l1, l2, l3, 1usize)
        };
        let a2 = if lhs_along_k {
            l2
        } else {
            lane(l0, l1, l2, l3, 2usize)
        };
        let a3 = if lhs_along_k {
            l3
        } else {
            lane(l0, l1, l2, l3, 3usize)
        };
        let b0 = if rhs_along_n {
            r0
        } else {
            lane(r0, r1, r2, r3, 0usize)
        };
        let b1 = if rhs_along_n {
            r1
        } else {
            lane(r0, r1, r2, r3, 1usize)
        };
        let b2 = if rhs_along_n {
            r2
        } else {
            lane(r0, r1, r2, r3, 2usize)
        };
        let b3 = if rhs_along_n {
            r3
        } else {
            lane(r0, r1, r2, r3, 3usize)
        };

        acc0 = row_step(acc0, a0, b0, b1, b2, b3);
        acc1 = row_step(acc1, a1, b0, b1, b2, b3);
        acc2 = row_step(acc2, a2, b0, b1, b2, b3);
        acc3 = row_step(acc3, a3, b0, b1, b2, b3);
    }

    let row = out.stride(row_axis);
    let c = out_base + m0 * row + n0;
    out[c / 4] = acc0;
    out[(c + row) / 4] = acc1;
    out[(c + 2 * row) / 4] = acc2;
    out[(c + 3 * row) / 4] = acc3;
}

/// Lane `index` of four vectors, as one vector: a column of a 4 × 4 block becomes a row.
#[cube]
fn lane<E: Float, N: Size>(
    v0: Vector<E, N>,
    v1: Vector<E, N>,
    v2: Vector<E, N>,
    v3: Vector<E, N>,
    #[comptime] index: usize,
) -> Vector<E, N> {
    let mut out = Vector::<E, N>::empty();
    out.insert(0usize, v0.extract(index));
    out.insert(1usize, v1.extract(index));
    out.insert(2usize, v2.extract(index));
    out.insert(3usize, v3.extract(index));
    out
}

/// One output row's update over four steps of `K`: `acc + Σ a[i] · b_i`.
#[cube]
fn row_step<E: Float, N: Size>(
    acc: Vector<E, N>,
    a: Vector<E, N>,
    b0: Vector<E, N>,
    b1: Vector<E, N>,
    b2: Vector<E, N>,
    b3: Vector<E, N>,
) -> Vector<E, N> {
    acc + Vector::broadcast(a.extract(0usize)) * b0
        + Vector::broadcast(a.extract(1usize)) * b1
        + Vector::broadcast(a.extract(2usize)) * b2
        + Vector::broadcast(a.extract(3usize)) * b3
}
