//! Whole-network parameter operations against hand-computed values.

use burn::module::{Module, Param, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
use webgan::tensor::floats;
use webgan::train::params::{ParamsError, decode, encode, freeze};

/// A matrix and a vector, so the operations must handle parameters of different ranks.
#[derive(Module, Debug)]
struct Net {
    matrix: Param<Tensor<2>>,
    vector: Param<Tensor<1>>,
}

fn values(n: &Net) -> (Vec<f32>, Vec<f32>) {
    (floats(n.matrix.val().into_data()), floats(n.vector.val().into_data()))
}

#[test]
fn a_frozen_network_passes_gradients_to_its_input_only_and_thaws_keeping_its_buffers() {
    let device = Device::flex().autodiff();
    let tensor = |v: Vec<f32>, shape: [usize; 2]| Tensor::<2>::from_data(TensorData::new(v, shape), &device);
    // A trained matrix M = [[1, 2], [3, 4]] and an untrained buffer, like batch norm's statistics.
    let buffer = Tensor::from_data(TensorData::new(vec![0.5f32, -0.5], [2]), &device);
    let net = Net {
        matrix: Param::from_tensor(tensor(vec![1.0, 2.0, 3.0, 4.0], [2, 2]).require_grad()),
        vector: Param::initialized(ParamId::new(), buffer),
    };
    let mut frozen = freeze(net);
    // Σ x·M at x = [1, 1]: ∂/∂x = M's row sums, and M gets no gradient at all.
    let x = tensor(vec![1.0, 1.0], [1, 2]).require_grad();
    let grads = x.clone().matmul(frozen.module.matrix.val()).sum().backward();
    assert_eq!(floats(x.grad(&grads).expect("the input is tracked").into_data()), vec![3.0, 7.0]);
    assert_eq!(GradientsParams::from_grads(grads, &frozen.module).len(), 0, "no weight gradient while frozen");
    // A buffer replaced while frozen stays replaced (and untrained); M trains again.
    let id = frozen.module.vector.id;
    frozen.module.vector = Param::initialized(id, Tensor::from_data(TensorData::new(vec![9.0f32, 9.0], [2]), &device));
    let thawed = frozen.thaw();
    assert_eq!(values(&thawed), (vec![1.0, 2.0, 3.0, 4.0], vec![9.0, 9.0]));
    assert!(!thawed.vector.val().is_require_grad());
    let grads = GradientsParams::from_grads(thawed.matrix.val().sum().backward(), &thawed);
    assert_eq!(grads.len(), 1, "the thawed matrix trains again");
}

#[test]
fn a_parameter_file_holds_finite_values_only() {
    let shapes = [vec![2], vec![1]];
    let stored = decode(&encode(&shapes, &[1.0, -2.0, 0.5])).unwrap();
    assert_eq!(stored, vec![(vec![2], vec![1.0, -2.0]), (vec![1], vec![0.5])]);
    for value in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        assert_eq!(decode(&encode(&shapes, &[1.0, -2.0, value])), Err(ParamsError::NonFinite { index: 1 }));
    }
}
