//! `$connect`: opens a chat connection (weifChat socket).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::chat::connect)).await
}
