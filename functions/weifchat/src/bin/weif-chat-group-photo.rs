//! `POST /chat/group/photo`: upload a group chat photo (seed 003 #39).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(
        &[shared::state::STORAGE],
        shared::handler!(weifchat::uploads::chat_photo),
    )
    .await
}
