//! `POST /upload/group`: upload a group's picture (seed 003 #15).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(
        &[shared::state::STORAGE],
        shared::handler!(weifchat::uploads::group_picture),
    )
    .await
}
