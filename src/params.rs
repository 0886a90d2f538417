//! Operations over all the parameters of a network, whatever its layers: the norm of its
//! gradient, WGAN's weight clipping and the moving average of the generator's weights. Written
//! once against burn's module visitors, so every model gets them.

use std::collections::HashMap;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;

/// ‖∇θ L‖₂ over every parameter of `module` that has a gradient in `grads`, as a `[1]` tensor
/// that stays on the device.
pub fn gradient_norm<M: Module>(module: &M, grads: &GradientsParams) -> Tensor<1> {
    struct SumOfSquares<'a> {
        grads: &'a GradientsParams,
        total: Option<Tensor<1>>,
    }
    impl ModuleVisitor for SumOfSquares<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if let Some(grad) = self.grads.get::<D>(param.id) {
                let squares = grad.square().sum();
                self.total = Some(match self.total.take() {
                    Some(total) => total + squares,
                    None => squares,
                });
            }
        }
    }
    let mut visitor = SumOfSquares { grads, total: None };
    module.visit(&mut visitor);
    visitor.total.expect("a module being trained has gradients").sqrt()
}

/// Every weight of `module` clamped to [−c, c]: the original WGAN's crude way of keeping the
/// critic Lipschitz. The clamped weights are new leaves, ready for the next backward pass.
pub fn clip<M: Module>(module: M, c: f64) -> M {
    struct Clip(f64);
    impl ModuleMapper for Clip {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let c = self.0;
            param.map(|w| w.clamp(-c, c).detach().require_grad())
        }
    }
    module.map(&mut Clip(c))
}

/// The exponential moving average `decay · average + (1 − decay) · current`, parameter by
/// parameter. Both modules must be copies of one network (the same parameter ids), as the
/// generator and its running average are.
pub fn moving_average<M: Module>(average: M, current: &M, decay: f64) -> M {
    struct Collect(HashMap<ParamId, Tensor<1>>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.insert(param.id, param.val().detach().flatten(0, D - 1));
        }
    }
    struct Blend {
        current: HashMap<ParamId, Tensor<1>>,
        decay: f64,
    }
    impl ModuleMapper for Blend {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let Some(current) = self.current.remove(&param.id) else { return param };
            let decay = self.decay;
            param.map(|avg| {
                let current = current.reshape(avg.shape());
                (avg.mul_scalar(decay) + current.mul_scalar(1.0 - decay)).detach()
            })
        }
    }
    let mut collect = Collect(HashMap::new());
    current.visit(&mut collect);
    average.map(&mut Blend { current: collect.0, decay })
}
