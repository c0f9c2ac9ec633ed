//! `apply_notice`: the caller's pending request counts (weifChat socket).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::chat::apply_notice)).await
}
