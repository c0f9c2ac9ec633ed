//! `$disconnect`: a chat connection closed (weifChat socket).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::chat::disconnect)).await
}
