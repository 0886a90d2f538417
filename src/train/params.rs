//! Operations over all the parameters of a network, whatever its layers: freezing a network
//! for one pass and parameter files. Written once against burn's module visitors, so every model
//! gets them.

use crate::message::{Explain, Message};
use std::collections::HashSet;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::tensor::Tensor;

/// A network whose trained weights are constants for a while: a backward pass through it
/// reaches its input but computes no gradient for its weights, which saves their products
/// where only the input's gradient is wanted (the discriminator inside the generator's loss).
pub struct Frozen<M> {
    /// The network, its trained weights untracked.
    pub module: M,
    trained: HashSet<ParamId>,
}

/// `module` frozen (see [`Frozen`]); [`Frozen::thaw`] trains its weights again.
pub fn freeze<M: Module>(module: M) -> Frozen<M> {
    struct Trained(HashSet<ParamId>);
    impl ModuleVisitor for Trained {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if param.val().is_require_grad() {
                self.0.insert(param.id);
            }
        }
    }
    let mut trained = Trained(HashSet::new());
    module.visit(&mut trained);
    Frozen { module: module.no_grad(), trained: trained.0 }
}

impl<M: Module> Frozen<M> {
    /// The network with the weights that were trained before [`freeze`] trained again, and
    /// whatever else changed meanwhile (batch norm's running statistics) kept.
    pub fn thaw(self) -> M {
        struct Thaw(HashSet<ParamId>);
        impl ModuleMapper for Thaw {
            fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
                if !self.0.contains(&param.id) {
                    return param;
                }
                param.map(|w| w.detach().require_grad())
            }
        }
        self.module.map(&mut Thaw(self.trained))
    }
}

/// The first bytes of a parameter file, with its format version.
const MAGIC: &[u8; 8] = b"WGPARAM1";

/// Why a parameter file could not be loaded into a network.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParamsError {
    /// The file does not start with the expected magic bytes and version.
    #[error("not a webgan parameter file (or a version this build cannot read)")]
    BadMagic,
    /// The file ends early.
    #[error("the parameter file is truncated")]
    Truncated,
    /// The file holds a different network.
    #[error("parameter {index} has shape {found:?} in the file but {expected:?} in the network")]
    Shape { index: usize, found: Vec<usize>, expected: Vec<usize> },
    /// The file holds more or fewer parameters than the network.
    #[error("the file holds {found} parameters but the network has {expected}")]
    Count { found: usize, expected: usize },
    /// A value is NaN or infinite: no network that trained without diverging holds one.
    #[error("parameter {index} holds NaN or infinite values")]
    NonFinite { index: usize },
}

impl Explain for ParamsError {
    const KEYS: &'static [&'static str] = &[
        "error.params.bad_magic",
        "error.params.truncated",
        "error.params.shape",
        "error.params.count",
        "error.params.non_finite",
    ];

    fn message(&self) -> Message {
        match self {
            Self::BadMagic => Message::new("error.params.bad_magic"),
            Self::Truncated => Message::new("error.params.truncated"),
            Self::Shape { index, found, expected } => Message::new("error.params.shape")
                .with("index", *index)
                .with("found", format!("{found:?}"))
                .with("expected", format!("{expected:?}")),
            Self::Count { found, expected } => {
                Message::new("error.params.count").with("found", *found).with("expected", *expected)
            }
            Self::NonFinite { index } => Message::new("error.params.non_finite").with("index", *index),
        }
    }
}

/// Tensors gathered for a single read: their shapes and their values flattened, still on the
/// device. Whoever reads joins every gathered set into one tensor, so a checkpoint of several
/// networks and optimisers costs one round trip.
pub struct Gathered {
    /// Each tensor's dimensions.
    pub shapes: Vec<Vec<usize>>,
    /// Each tensor, flattened.
    pub values: Vec<Tensor<1>>,
}

/// Gathers every float parameter of `module` (see [`Gathered`]).
pub fn gather<M: Module>(module: &M) -> Gathered {
    struct Collect(Vec<Vec<usize>>, Vec<Tensor<1>>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let tensor = param.val();
            self.0.push(tensor.dims().to_vec());
            self.1.push(tensor.detach().flatten(0, D - 1));
        }
    }
    let mut collect = Collect(Vec::new(), Vec::new());
    module.visit(&mut collect);
    Gathered { shapes: collect.0, values: collect.1 }
}

/// The dimensions of every float parameter of `module`, in visiting order.
pub fn shapes<M: Module>(module: &M) -> Vec<Vec<usize>> {
    struct Shapes(Vec<Vec<usize>>);
    impl ModuleVisitor for Shapes {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push(param.val().dims().to_vec());
        }
    }
    let mut shapes = Shapes(Vec::new());
    module.visit(&mut shapes);
    shapes.0
}

/// The parameter file of parameters with these `shapes` and `values` (as read back from
/// [`Gathered::values`]): the magic, the count, then per parameter its rank, dimensions and
/// little-endian f32 values.
pub fn encode(shapes: &[Vec<usize>], values: &[f32]) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend((shapes.len() as u32).to_le_bytes());
    let mut values = values.iter();
    for shape in shapes {
        bytes.extend((shape.len() as u32).to_le_bytes());
        shape.iter().for_each(|&d| bytes.extend((d as u32).to_le_bytes()));
        values.by_ref().take(shape.iter().product()).for_each(|v| bytes.extend(v.to_le_bytes()));
    }
    bytes
}

/// Every float parameter of `module` as a parameter file ([`encode`]). Reads the tensors back
/// synchronously, so it is for native code (the browser reads [`gather`]'s tensor itself).
pub fn to_bytes<M: Module>(module: &M) -> Vec<u8> {
    let gathered = gather(module);
    encode(&gathered.shapes, &crate::tensor::floats(Tensor::cat(gathered.values, 0).into_data()))
}

/// A tensor as a parameter file holds it: its dimensions and its values.
pub type StoredTensor = (Vec<usize>, Vec<f32>);

/// The tensors of a parameter file ([`encode`]): each one's dimensions and values. Every length
/// is checked against the bytes there are before anything is allocated, so a hostile file
/// cannot ask for more memory than it occupies, and every value must be finite.
pub fn decode(bytes: &[u8]) -> Result<Vec<StoredTensor>, ParamsError> {
    let mut reader = bytes.strip_prefix(MAGIC.as_slice()).ok_or(ParamsError::BadMagic)?;
    let mut word = || -> Result<u32, ParamsError> {
        let (head, rest) = reader.split_first_chunk::<4>().ok_or(ParamsError::Truncated)?;
        reader = rest;
        Ok(u32::from_le_bytes(*head))
    };
    let count = word()? as usize;
    let mut stored = Vec::new();
    for _ in 0..count.min(bytes.len() / 4) {
        let rank = word()? as usize;
        let shape =
            (0..rank.min(bytes.len() / 4)).map(|_| word().map(|d| d as usize)).collect::<Result<Vec<_>, _>>()?;
        let size = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d)).filter(|&n| n <= bytes.len() / 4);
        let values = (0..size.ok_or(ParamsError::Truncated)?)
            .map(|_| word().map(f32::from_bits))
            .collect::<Result<Vec<f32>, _>>()?;
        if !values.iter().all(|v| v.is_finite()) {
            return Err(ParamsError::NonFinite { index: stored.len() });
        }
        stored.push((shape, values));
    }
    if stored.len() < count {
        return Err(ParamsError::Truncated);
    }
    Ok(stored)
}

/// Checks that `stored` tensors have exactly the `expected` shapes, one by one.
pub fn check_shapes(expected: &[Vec<usize>], stored: &[(Vec<usize>, Vec<f32>)]) -> Result<(), ParamsError> {
    if expected.len() != stored.len() {
        return Err(ParamsError::Count { found: stored.len(), expected: expected.len() });
    }
    for (index, (expected, (found, _))) in expected.iter().zip(stored).enumerate() {
        if expected != found {
            return Err(ParamsError::Shape { index, found: found.clone(), expected: expected.clone() });
        }
    }
    Ok(())
}

/// `module` with its float parameters replaced by those in `bytes` (made by [`to_bytes`] from the
/// same architecture). Shapes are checked one by one; on any mismatch nothing is replaced.
pub fn from_bytes<M: Module>(module: M, bytes: &[u8]) -> Result<M, ParamsError> {
    let stored = decode(bytes)?;
    check_shapes(&shapes(&module), &stored)?;

    struct Load(std::vec::IntoIter<(Vec<usize>, Vec<f32>)>);
    impl ModuleMapper for Load {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let (shape, values) = self.0.next().expect("counts were checked");
            param.map(|old| {
                let fresh = Tensor::from_data(burn::tensor::TensorData::new(values, shape), &old.device());
                if old.is_require_grad() { fresh.require_grad() } else { fresh }
            })
        }
    }
    Ok(module.map(&mut Load(stored.into_iter())))
}
