//! `POST /upload/user`: upload the caller's picture (seed 003 #5).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(
        &[shared::state::STORAGE],
        shared::handler!(weifchat::uploads::user_picture),
    )
    .await
}
