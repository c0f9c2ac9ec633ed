//! The weifChat surface (seed 003, the REST part): one Lambda function per route (see
//! `src/bin/`), all in the `{status, msg, data}` style of `crate::wire`. Handlers are library
//! code so the Lambda binaries, the local gateway and the tests run the very same function.
//!
//! Every route but register and login needs `Authorization: Bearer <token>`; a parameter that
//! names the caller (`_id`, `userId`, `groupLeaderId`, `fromId`) must be the token's user.

pub mod accounts;
pub mod chat;
pub mod feed;
pub mod fields;
pub mod friends;
pub mod groups;
mod items;
pub mod keys;
pub mod limits;
pub mod messages;
pub mod model;
pub mod notes;
pub mod socket;
pub mod spaces;
mod store;
pub mod time;
pub mod uploads;
pub mod users;
mod view;
pub mod wire;

pub use feed::stream_functions;
pub use items::bulk;
pub use items::{
    Comment, Conversation, Friend, Group, GroupCopy, LastMessage, Like, Membership, Message, Note, PeerCopy, Space,
    User,
};
pub use store::*;

use shared::AppState;
use shared::auth::Audience;

/// The audience of weifChat tokens: a token of another surface is refused here.
pub const AUDIENCE: Audience = Audience::new("weifchat");

/// The weifChat store, from the container state.
pub trait WeifState {
    fn weifchat(&self) -> WeifStore;
}

impl WeifState for AppState {
    fn weifchat(&self) -> WeifStore {
        WeifStore::new(&self.store)
    }
}

shared::functions! {
    "weifchat";
    "weif-register" => accounts::register,
    "weif-login" => accounts::login,
    "weif-home-user" => users::home,
    "weif-tabbar-message-userinfo" => users::tabbar_info,
    "weif-update-user" => users::update,
    "weif-search" => users::search,
    "weif-friend-add" => friends::add,
    "weif-contacts-friend" => friends::contacts,
    "weif-del-friend" => friends::delete,
    "weif-get-friend-noagree" => friends::requests,
    "weif-friend-agree" => friends::agree,
    "weif-friend-refuse" => friends::refuse,
    "weif-create-group" => groups::create,
    "weif-home-group" => groups::home,
    "weif-get-group-user" => groups::members,
    "weif-group-add" => groups::join,
    "weif-group-refuse" => groups::refuse,
    "weif-contacts-group" => groups::contacts,
    "weif-get-update-group" => groups::edit_info,
    "weif-update-group-info" => groups::update,
    "weif-del-group-user" => groups::remove_member,
    "weif-del-group" => groups::dissolve,
    "weif-get-group-noagree" => groups::requests,
    "weif-group-agree" => groups::agree,
    "weif-space-add" => spaces::add,
    "weif-space-get" => spaces::feed,
    "weif-space-del" => spaces::delete,
    "weif-space-details" => spaces::details,
    "weif-space-like" => spaces::like,
    "weif-space-comment-add" => spaces::comment_add,
    "weif-space-comment-del" => spaces::comment_delete,
    "weif-notes-add" => notes::add,
    "weif-notes-get" => notes::list,
    "weif-notes-del" => notes::delete,
    "weif-message-sync" => messages::sync,
    "weif-socket-connect" => chat::connect,
    "weif-socket-disconnect" => chat::disconnect,
    "weif-socket-default" => chat::unknown,
    "weif-socket-login" => chat::login,
    "weif-socket-logout" => chat::logout,
    "weif-socket-private-chat" => chat::private_chat,
    "weif-socket-group-chat" => chat::group_chat,
    "weif-socket-join-group" => chat::join_group,
    "weif-socket-init-apply-notice" => chat::init_apply_notice,
    "weif-socket-apply-notice" => chat::apply_notice,
    "weif-socket-agree-apply" => chat::agree_apply,
    // -- messages (issue 9) --
    "weif-message-friend" => messages::friend_history,
    "weif-message-group" => messages::group_history,
    "weif-message-list" => messages::list,
    "weif-message-read" => messages::read,

    // uploads (#5, #15, #27, #38–42) and the files' addresses
    "weif-upload-user" => uploads::user_picture,
    "weif-upload-group" => uploads::group_picture,
    "weif-space-upload-photos" => uploads::space_photos,
    "weif-chat-private-photo" => uploads::chat_photo,
    "weif-chat-group-photo" => uploads::chat_photo,
    "weif-chat-file" => uploads::chunk,
    "weif-merge" => uploads::merge,
    "weif-verify" => uploads::verify,
    "weif-file-get" => uploads::download,
}

/// The `$connect` authorizer of the chat socket (`crate::socket::authorize`), for the local
/// gateway.
pub fn authorizer_functions() -> Vec<shared::lambda::AuthorizerFunction> {
    vec![shared::lambda::AuthorizerFunction {
        binary: "weif-socket-authorize",
        handler: shared::authorizer!(socket::authorize),
    }]
}

#[cfg(test)]
mod tests;
