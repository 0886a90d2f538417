//! Tensor values read back to the host.

use burn::tensor::TensorData;

/// Tensor data as `f32` values, whatever float type the backend computed in.
pub fn floats(data: TensorData) -> Vec<f32> {
    data.convert::<f32>().try_to_vec::<f32>().expect("data converted to f32 reads as f32")
}
