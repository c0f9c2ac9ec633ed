//! `agree_apply`: tells a new friend their request was agreed (weifChat socket).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::PUSH], shared::handler!(weifchat::chat::agree_apply)).await
}
