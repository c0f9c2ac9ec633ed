//! The info (news) module's domain (seed 004): validated inputs and the seed's rules
//! ([`model`]), what it stores ([`items`]), what it answers ([`view`]) and the store operations
//! ([`InfoStore`]).

pub mod items;
pub mod model;
mod store;
pub mod view;

pub use model::*;
pub use store::{CategoryChange, CommentPage, InfoPage, InfoStore, NewFeed, NewInfo, PageEntry, Viewed};
