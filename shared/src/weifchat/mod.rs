//! The weifChat surface's domain (seed 003): validated inputs ([`model`]), the wire time
//! formats ([`time`]), what it stores ([`items`]) and the store operations ([`WeifStore`]).

mod items;
pub mod model;
mod store;
pub mod time;

pub use items::{Comment, Friend, Group, Like, Membership, Note, Space, User};
pub use store::*;
