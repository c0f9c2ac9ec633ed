//! `POST /chat/private/photo`: upload a private chat photo (seed 003 #38).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::uploads::chat_photo)).await
}
