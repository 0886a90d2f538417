//! Training: one step of the game (the trainer), the losses and penalties, the optimisers,
//! operations over a network's parameters, the statistics each step records, the history they
//! make and the checkpoint that saves it all.

pub mod checkpoint;
pub mod history;
pub mod loss;
pub mod optim;
pub mod params;
pub mod stats;
mod trainer;

pub use trainer::{ConfigChange, Trainer};
