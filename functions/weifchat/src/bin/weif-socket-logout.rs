//! `logout`: forgets the connection and closes it (weifChat socket).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::PUSH], shared::handler!(weifchat::chat::logout)).await
}
