//! `POST /space/upload/photos`: upload moment photos (seed 003 #27).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(
        &[shared::state::STORAGE],
        shared::handler!(weifchat::uploads::space_photos),
    )
    .await
}
