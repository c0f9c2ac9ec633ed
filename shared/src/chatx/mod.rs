//! The chatx surface's domain: validated inputs ([`model`]), what it stores ([`items`]) and
//! the store operations ([`ChatxStore`]).

mod items;
pub mod model;
mod store;

pub use model::*;
pub use store::{ChatxStore, Page};
