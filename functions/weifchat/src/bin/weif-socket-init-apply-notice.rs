//! `init_apply_notice`: the caller's pending request counts (weifChat socket).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::chat::init_apply_notice)).await
}
