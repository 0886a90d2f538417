//! What the hosts draw from a run: the sample grid and the plane as pictures, the plane's
//! read-back split into its parts, and the walks through G's noise space.

pub mod grid;
pub mod latent;
pub mod plane;
