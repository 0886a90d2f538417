//! Helpers shared by the native integration tests (each test file uses some of them).
#![allow(dead_code)]

use burn::module::{Module, ModuleMapper, Param, ParamId};
use burn::tensor::{Tensor, TensorData};
use webgan::Digits;

/// The 10 000 shipped digits, as `./build.sh data` packs them.
pub fn digits() -> Digits {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/www/data/mnist.bin.gz");
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}; run `./build.sh data` first"));
    Digits::decode(&bytes).expect("the packed digits decode")
}

/// Copies of `module` with its parameter `id` moved by +h·`direction` and −h·`direction`, and
/// that h: halved from `h` until `pattern` (the signs of every LeakyReLU input) is the same for
/// both copies as for `module`, so that central differences see one smooth piece of the network
/// and are exact up to rounding.
pub fn smooth_pair<M: Module>(
    module: &M,
    id: ParamId,
    direction: &[f32],
    mut h: f32,
    pattern: impl Fn(&M) -> Vec<bool>,
) -> (M, M, f32) {
    let signs = pattern(module);
    loop {
        let (plus, minus) = (moved(module, id, direction, h), moved(module, id, direction, -h));
        if pattern(&plus) == signs && pattern(&minus) == signs {
            return (plus, minus, h);
        }
        h /= 2.0; // a unit crossed zero: step back until none does
    }
}

/// `module` with the parameter `id` moved by `t·direction` (`direction` flattened).
fn moved<M: Module>(module: &M, id: ParamId, direction: &[f32], t: f32) -> M {
    struct Shift<'a>(ParamId, &'a [f32], f32);
    impl ModuleMapper for Shift<'_> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            if param.id != self.0 {
                return param;
            }
            let (direction, t) = (self.1, self.2);
            param.map(|w| {
                let step = Tensor::<1>::from_data(TensorData::new(direction.to_vec(), [direction.len()]), &w.device());
                (w.clone() + step.reshape(w.shape()).mul_scalar(t)).detach().require_grad()
            })
        }
    }
    module.clone().map(&mut Shift(id, direction, t))
}
