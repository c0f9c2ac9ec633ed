//! `group_chat`: a message to a group (weifChat socket).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::PUSH], shared::handler!(weifchat::chat::group_chat)).await
}
