//! `POST /chat/private/photo`: upload a private chat photo (seed 003 #38).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(
        &[shared::state::STORAGE],
        shared::handler!(weifchat::uploads::chat_photo),
    )
    .await
}
