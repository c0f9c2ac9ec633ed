//! `$default`: a frame with an unknown action (weifChat socket).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::chat::unknown)).await
}
