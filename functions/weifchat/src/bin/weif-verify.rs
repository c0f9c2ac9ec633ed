//! `POST /verify/:type`: is a file already uploaded, which chunks are (seed 003 #42).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::STORAGE], shared::handler!(weifchat::uploads::verify)).await
}
